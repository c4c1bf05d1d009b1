using Coffer.Scanning.Configuration;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests.Configuration;

public sealed class ScanConfigLoaderTests
{
    private const string CustomRule = """
        [[rules]]
        id = "acme-key"
        description = "ACME internal key"
        regex = '''acme_(?:live|test)_([a-z0-9]{20})'''
        keywords = ["acme_"]
        entropy = 2.5
        secretGroup = 1
        """;

    private static List<Finding> Detect(RuleSet rules, string line, string path = "file.txt")
    {
        var findings = new List<Finding>();
        new LineDetector(rules).Detect(path, 1, line, findings);
        return findings;
    }

    [Fact]
    public void Parse_CustomRulesOnly_DefaultsNotLoaded()
    {
        var rules = ScanConfigLoader.Parse(CustomRule, "test.toml");

        var rule = Assert.Single(rules.Rules);
        Assert.Equal("acme-key", rule.Id);
        Assert.Equal(2.5, rule.Entropy);
        Assert.Equal("k3j5h7g9f1d3s5a7q9w1", Assert.Single(Detect(rules, "key = acme_live_k3j5h7g9f1d3s5a7q9w1")).Secret);
    }

    [Fact]
    public void Parse_ExtendUseDefault_CustomAndDefaultRules()
    {
        var rules = ScanConfigLoader.Parse("[extend]\nuseDefault = true\n" + CustomRule, "test.toml");

        Assert.Equal(DefaultRules.All.Count + 1, rules.Rules.Count);
        Assert.Equal("acme-key", rules.Rules[0].Id);
    }

    [Fact]
    public void Parse_AllowlistOnly_DefaultsWithAllowlist()
    {
        var rules = ScanConfigLoader.Parse("""
            [allowlist]
            paths = ['''^fixtures/''']
            regexes = ['''^sk_live_aB3''']
            stopwords = ["notreal"]
            """, "test.toml");

        Assert.Equal(DefaultRules.All.Count, rules.Rules.Count);
        Assert.True(rules.Allowlist.AllowsPath("fixtures/keys.txt"));
        Assert.False(rules.Allowlist.AllowsPath("src/keys.txt"));
        Assert.Empty(Detect(rules, "STRIPE=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU"));
        Assert.Single(Detect(rules, "STRIPE=sk_live_zB3dE5fG7hJ9kL2mN4pQ6rS8tU"));
    }

    [Fact]
    public void Parse_RuleAllowlist_AppliesToThatRule()
    {
        var rules = ScanConfigLoader.Parse(CustomRule + "\n[rules.allowlist]\nstopwords = [\"k3j5\"]\n", "test.toml");

        Assert.Empty(Detect(rules, "key = acme_live_k3j5h7g9f1d3s5a7q9w1"));
    }

    [Fact]
    public void Parse_MalformedToml_ConfigExceptionNamesFile()
    {
        var e = Assert.Throws<ScanConfigException>(() => ScanConfigLoader.Parse("[[rules]\nid = ", "bad.toml"));

        Assert.StartsWith("config bad.toml is not valid TOML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidRegex_ConfigExceptionNamesRule()
    {
        var e = Assert.Throws<ScanConfigException>(() => ScanConfigLoader.Parse("[[rules]]\nid = \"broken\"\nregex = '''([a-z'''\n", "bad.toml"));

        Assert.Contains("rule broken has an invalid regex", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BacktrackingRegex_Rejected()
    {
        var e = Assert.Throws<ScanConfigException>(() => ScanConfigLoader.Parse("[[rules]]\nid = \"lookbehind\"\nregex = '''(?<=key=)\\w+'''\n", "bad.toml"));

        Assert.Contains("lookbehind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RuleWithoutRegex_ConfigException() =>
        Assert.Throws<ScanConfigException>(() => ScanConfigLoader.Parse("[[rules]]\nid = \"empty\"\n", "bad.toml"));

    [Fact]
    public void Parse_KeywordsNotStrings_ConfigException() =>
        Assert.Throws<ScanConfigException>(() => ScanConfigLoader.Parse("[[rules]]\nid = \"x\"\nregex = 'x'\nkeywords = [1, 2]\n", "bad.toml"));
}
