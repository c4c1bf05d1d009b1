namespace Coffer.Scanning.Tests;

public sealed class FindingTests
{
    [Fact]
    public void MaskedSecret_LongSecret_FirstFourThenStars() =>
        Assert.Equal("sk_l****", new Finding("r", "d", "p", 1, 1, "sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU").MaskedSecret);

    [Fact]
    public void MaskedSecret_ShortSecret_RevealsLess() =>
        Assert.Equal("hu****", new Finding("r", "d", "p", 1, 1, "hunter2hunt").MaskedSecret);

    [Fact]
    public void Fingerprint_DifferentLine_Same() =>
        Assert.Equal(new Finding("r", "d", "a.txt", 1, 1, "s3cr3t").Fingerprint, new Finding("r", "d", "a.txt", 40, 9, "s3cr3t").Fingerprint);

    [Fact]
    public void Fingerprint_DifferentPath_Differs() =>
        Assert.NotEqual(new Finding("r", "d", "a.txt", 1, 1, "s3cr3t").Fingerprint, new Finding("r", "d", "b.txt", 1, 1, "s3cr3t").Fingerprint);
}
