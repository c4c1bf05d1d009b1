using System.Security.Cryptography;
using Coffer.Crypto.Sharing;

namespace Coffer.Crypto.Tests.Sharing;

public sealed class ShamirSecretSharingTests
{
    [Fact]
    public void Combine_EveryThresholdSubset_ReconstructsSecret()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, 5, 3);
        for (var a = 0; a < 5; a++)
        {
            for (var b = a + 1; b < 5; b++)
            {
                for (var c = b + 1; c < 5; c++)
                {
                    Assert.Equal(secret, ShamirSecretSharing.Combine([shares[a], shares[b], shares[c]]));
                }
            }
        }

        Assert.Equal(secret, ShamirSecretSharing.Combine(shares));
    }

    [Fact]
    public void Combine_BelowThreshold_DoesNotReconstruct()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, 5, 3);
        Assert.NotEqual(secret, ShamirSecretSharing.Combine([shares[0], shares[1]]));
    }

    [Fact]
    public void Split_SameSecretTwice_GivesDifferentShares()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        Assert.NotEqual(ShamirSecretSharing.Split(secret, 3, 2)[0], ShamirSecretSharing.Split(secret, 3, 2)[0]);
    }

    [Fact]
    public void Split_OneOfOne_ReconstructsFromTheOnlyShare()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(secret, ShamirSecretSharing.Combine(ShamirSecretSharing.Split(secret, 1, 1)));
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 0)]
    [InlineData(256, 2)]
    public void Split_BadParameters_Throws(int shares, int threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ShamirSecretSharing.Split(new byte[32], shares, threshold));

    [Fact]
    public void Combine_DuplicateOrMismatchedShares_Throws()
    {
        var shares = ShamirSecretSharing.Split(new byte[32], 3, 2);
        Assert.Throws<ArgumentException>(() => ShamirSecretSharing.Combine([shares[0], shares[0]]));
        Assert.Throws<ArgumentException>(() => ShamirSecretSharing.Combine([shares[0], shares[1][..10]]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void TryDecode_NotAShare_ReturnsNull(string? text) => Assert.Null(UnsealShare.TryDecode(text));

    [Fact]
    public void TryDecode_EncodedShare_RoundTrips()
    {
        var share = ShamirSecretSharing.Split(new byte[32], 3, 2)[1];
        Assert.Equal(share, UnsealShare.TryDecode(UnsealShare.Encode(share)));
    }
}
