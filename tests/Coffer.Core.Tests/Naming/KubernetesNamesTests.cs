using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Core.Secrets;

namespace Coffer.Core.Tests.Naming;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("a")]
    [InlineData("team-a1")]
    [InlineData("0abc")]
    public void CheckDns1123Label_ValidLabel_ReturnsNull(string value) => Assert.Null(KubernetesNames.CheckDns1123Label(value));

    [Theory]
    [InlineData("")]
    [InlineData("Default")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a.b")]
    [InlineData("a_b")]
    [InlineData("ä")]
    public void CheckDns1123Label_InvalidLabel_ReturnsRule(string value) => Assert.NotNull(KubernetesNames.CheckDns1123Label(value));

    [Fact]
    public void CheckDns1123Label_64Characters_ReturnsLengthRule()
    {
        Assert.Null(KubernetesNames.CheckDns1123Label(new string('a', 63)));
        Assert.Contains("63", KubernetesNames.CheckDns1123Label(new string('a', 64)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db")]
    [InlineData("database-credentials")]
    [InlineData("api.keys.v2")]
    public void CheckDns1123Subdomain_ValidName_ReturnsNull(string value) => Assert.Null(KubernetesNames.CheckDns1123Subdomain(value));

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("UPPER")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void CheckDns1123Subdomain_InvalidName_ReturnsRule(string value) => Assert.NotNull(KubernetesNames.CheckDns1123Subdomain(value));

    [Fact]
    public void CheckDns1123Subdomain_254Characters_ReturnsLengthRule()
    {
        Assert.Null(KubernetesNames.CheckDns1123Subdomain(string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253].TrimEnd('.')));
        Assert.Contains("253", KubernetesNames.CheckDns1123Subdomain(new string('a', 254)), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretAddress_InvalidNamespace_ThrowsWithRuleAndField()
    {
        var error = Assert.Throws<CofferException>(() => new SecretAddress("Bad_NS", "db"));
        Assert.Equal("InvalidName", error.Reason);
        Assert.Equal("metadata.namespace", error.Field);
        Assert.Contains("DNS-1123 label", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretAddress_InvalidName_ThrowsWithRuleAndField()
    {
        var error = Assert.Throws<CofferException>(() => new SecretAddress("default", "Bad_Name"));
        Assert.Equal("metadata.name", error.Field);
        Assert.Contains("DNS-1123 subdomain", error.Message, StringComparison.Ordinal);
    }
}
