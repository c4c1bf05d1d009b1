using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class PlaceholdersTests
{
    [Theory]
    [InlineData("${TOKEN}")]
    [InlineData("0000-0000-0000")]
    [InlineData("YOUR_KEY")]
    [InlineData("password")]
    [InlineData("sk_live_XXXXxxxxXXXXxxxx")]
    [InlineData("{{ .Values.apiKey }}")]
    [InlineData("--__--")]
    [InlineData("éééé-éé")]
    [InlineData("My-ChangeMe-Key-42")]
    public void IsPlaceholder_Placeholder_True(string value) => Assert.True(Placeholders.IsPlaceholder(value));

    [Theory]
    [InlineData("Zq8kL2mN4pQ6rS8tU0vW")]
    [InlineData("hunter2hunter")]
    [InlineData("aaaaaaab")]
    [InlineData("éééé-èé")]
    public void IsPlaceholder_RealLooking_False(string value) => Assert.False(Placeholders.IsPlaceholder(value));

    [Fact]
    public void ShannonEntropy_RepeatedVersusVaried_Ordered()
    {
        Assert.Equal(0, ShannonEntropy.Of("aaaa"));
        Assert.Equal(2, ShannonEntropy.Of("abcd"), 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Zq8kL2mN4pQ6rS8tU0vW")]
    [InlineData("pässwörd-€-ünïcödé-€€")]
    [InlineData("\U0001F511 key \U0001F511")]
    public void ShannonEntropy_AnyText_SameAsCountingEachCharacterInOrderOfFirstAppearance(string text)
    {
        foreach (var sample in new[] { text, string.Concat(Enumerable.Repeat(text + "x9", 40)) })
        {
            var counts = new Dictionary<char, int>();
            foreach (var c in sample)
            {
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }

            var expected = counts.Values.Aggregate(0.0, (sum, count) => sum - ((double)count / sample.Length * Math.Log2((double)count / sample.Length)));
            Assert.Equal(expected, ShannonEntropy.Of(sample));
        }
    }
}
