using Coffer.Core.Errors;
using Coffer.Core.Rotation;

namespace Coffer.Core.Tests.Rotation;

public sealed class NamingPolicyTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void Violations_EachBrokenRuleNamed()
    {
        var policy = new NamingPolicy("app-[a-z]+", ["owner-team"], ["contact"], Enforce: true);
        var violations = policy.Violations("db", None, None);
        Assert.Equal(["name must match the pattern app-[a-z]+", "label owner-team is required", "annotation contact is required"], violations);
    }

    [Fact]
    public void Violations_PatternIsAnchored_AndMetPolicyHasNone()
    {
        var policy = new NamingPolicy("app-[a-z]+", ["owner-team"], [], Enforce: false);
        Assert.Single(policy.Violations("my-app-db", new Dictionary<string, string> { ["owner-team"] = "a" }, None));
        Assert.Empty(policy.Violations("app-db", new Dictionary<string, string> { ["owner-team"] = "a" }, None));
    }

    [Theory]
    [InlineData("(unclosed")]
    [InlineData("a{2,1}")]
    public void Validate_BadPattern_IsInvalid(string pattern) =>
        Assert.Equal("InvalidNamingPolicy", Assert.Throws<CofferException>(() => new NamingPolicy(pattern, [], [], true).Validate()).Reason);

    [Fact]
    public void Validate_OversizedPattern_IsInvalid() =>
        Assert.Throws<CofferException>(() => new NamingPolicy(new string('a', NamingPolicy.MaxPatternLength + 1), [], [], true).Validate());
}
