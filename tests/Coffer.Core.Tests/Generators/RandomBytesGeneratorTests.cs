using Coffer.Core.Errors;
using Coffer.Core.Generators;

namespace Coffer.Core.Tests.Generators;

public sealed class RandomBytesGeneratorTests
{
    [Fact]
    public void Generate_Base64_DecodesToTheCount()
    {
        var text = RandomBytesGenerator.Generate(32, RandomBytesEncoding.Base64);
        Assert.Equal(32, Convert.FromBase64String(text).Length);
        Assert.NotEqual(text, RandomBytesGenerator.Generate(32, RandomBytesEncoding.Base64));
    }

    [Fact]
    public void Generate_Hex_IsLowercaseHexOfTheCount()
    {
        var text = RandomBytesGenerator.Generate(20, RandomBytesEncoding.Hex);
        Assert.Equal(40, text.Length);
        Assert.All(text, c => Assert.True(char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(RandomBytesGenerator.MaxBytes + 1)]
    public void Generate_BadCount_IsRejected(int count) =>
        Assert.Equal("InvalidGenerator", Assert.Throws<CofferException>(() => RandomBytesGenerator.Generate(count, RandomBytesEncoding.Hex)).Reason);
}
