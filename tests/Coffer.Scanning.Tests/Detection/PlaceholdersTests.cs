using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class PlaceholdersTests
{
    [Theory]
    [InlineData("${TOKEN}")]
    [InlineData("0000-0000-0000")]
    [InlineData("YOUR_KEY")]
    [InlineData("password")]
    public void IsPlaceholder_Placeholder_True(string value) => Assert.True(Placeholders.IsPlaceholder(value));

    [Theory]
    [InlineData("Zq8kL2mN4pQ6rS8tU0vW")]
    [InlineData("hunter2hunter")]
    public void IsPlaceholder_RealLooking_False(string value) => Assert.False(Placeholders.IsPlaceholder(value));

    [Fact]
    public void ShannonEntropy_RepeatedVersusVaried_Ordered()
    {
        Assert.Equal(0, ShannonEntropy.Of("aaaa"));
        Assert.Equal(2, ShannonEntropy.Of("abcd"), 6);
    }
}
