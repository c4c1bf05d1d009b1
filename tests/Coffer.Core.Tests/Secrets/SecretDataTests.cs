using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;

namespace Coffer.Core.Tests.Secrets;

public sealed class SecretDataTests
{
    [Fact]
    public void EncodeDecode_RoundTrip_KeepsKeysAndBytes()
    {
        var data = SecretData.Create(new Dictionary<string, byte[]>
        {
            ["password"] = "hunter2"u8.ToArray(),
            ["empty"] = [],
            ["binary"] = [0, 255, 1, 2],
            ["free.key_1"] = Encoding.UTF8.GetBytes("välue"),
        });

        var decoded = SecretData.Decode(data.Encode());

        Assert.Equal(data.Values.Keys, decoded.Values.Keys);
        foreach (var (key, value) in data.Values)
        {
            Assert.Equal(value, decoded.Values[key]);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("key=value")]
    public void Create_InvalidKey_ThrowsWithField(string key)
    {
        var error = Assert.Throws<CofferException>(() => SecretData.Create([new(key, [1])]));
        Assert.Equal("InvalidDataKey", error.Reason);
        Assert.Equal($"data[{key}]", error.Field);
    }

    [Fact]
    public void Create_ExactlyOneMebibyte_Accepted() =>
        Assert.Equal(SecretData.MaxTotalBytes, SecretData.Create([new("a", new byte[SecretData.MaxTotalBytes / 2]), new("b", new byte[SecretData.MaxTotalBytes / 2])]).TotalBytes);

    [Fact]
    public void Create_OverOneMebibyte_ThrowsTooLarge()
    {
        var error = Assert.Throws<CofferException>(() => SecretData.Create([new("a", new byte[SecretData.MaxTotalBytes]), new("b", [1])]));
        Assert.Equal(ErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void Decode_Truncated_ThrowsFormatException()
    {
        var encoded = SecretData.Create([new("k", "value"u8.ToArray())]).Encode();
        Assert.Throws<FormatException>(() => SecretData.Decode(encoded.AsSpan(0, encoded.Length - 1)));
        Assert.Throws<FormatException>(() => SecretData.Decode([.. encoded, 0]));
    }
}
