using System.Text.RegularExpressions;
using Coffer.Scanning.Configuration;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests.Rules;

public sealed class RuleMatcherTests
{
    /// <summary>Lines that make a backtracking engine try many ways (runs of a rule's own characters, repeated keywords and operators).</summary>
    private static readonly string[] Hostile =
    [
        string.Concat(Enumerable.Repeat("password= ", 300)) + new string('a', 3000),
        string.Concat(Enumerable.Repeat("token=====" + new string('a', 199) + "\\", 40)),
        string.Concat(Enumerable.Repeat("secret:'\"  ", 500)),
        new string('A', 4000) + "=" + new string('9', 4000),
        string.Concat(Enumerable.Repeat("https://u:p@", 400)),
    ];

    private static string Describe(MatchCollection matches) =>
        string.Join(';', matches.Select(m => string.Join(',', m.Groups.Values.Select(g => $"{g.Success}:{g.Index}:{g.Length}"))));

    [Fact]
    public void Matches_EveryBuiltInRule_SameOnTheBacktrackingAndLinearEngines()
    {
        var failures = new List<string>();
        foreach (var rule in DefaultRules.All)
        {
            var backtracking = RulePattern.CompileBacktracking(rule.Regex, Timeout.InfiniteTimeSpan);
            var linear = RulePattern.Compile(rule.Regex);
            foreach (var line in Hostile.Prepend(rule.TruePositive).Prepend(rule.FalsePositive))
            {
                if (Describe(backtracking.Matches(line)) != Describe(linear.Matches(line)))
                {
                    failures.Add($"{rule.Id} differs on a line of {line.Length} characters starting {line[..Math.Min(20, line.Length)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Matches_BuiltInRule_RunsOnTheBacktrackingEngine()
    {
        var rule = DefaultRules.All.Single(r => r.Id == "generic-secret-assignment");
        var matcher = new RuleMatcher(rule.Regex, RuleMatcher.DefaultBacktrackingLimit);

        Assert.Single(matcher.Matches(rule.TruePositive));
        Assert.False(matcher.IsLinear);
        Assert.True(rule.IsBuiltIn);
    }

    [Fact]
    public void Matches_LineExceedsTheBacktrackingLimit_MovesToTheLinearEngineAndStillFinds()
    {
        // Nested repetition: exponential on a backtracking engine, linear on the other.
        var matcher = new RuleMatcher("(a+)+b", TimeSpan.FromMilliseconds(1));
        Assert.False(matcher.IsLinear);

        Assert.Empty(matcher.Matches(new string('a', 40) + "c"));
        Assert.True(matcher.IsLinear);
        Assert.Equal("aaab", Assert.Single(matcher.Matches("xaaab")).Value);
    }

    [Fact]
    public void Matcher_RuleFromAConfigFile_AlwaysLinear()
    {
        var rules = ScanConfigLoader.Parse("[[rules]]\nid = \"acme\"\nregex = '''acme_([a-z0-9]{20})'''\nkeywords = [\"acme_\"]\n", "test.toml");

        var rule = Assert.Single(rules.Rules);
        Assert.False(rule.IsBuiltIn);
        Assert.True(rule.Matcher.IsLinear);
        Assert.Single(rule.Matcher.Matches("acme_k3j5h7g9f1d3s5a7q9w1"));
    }

    [Fact]
    public void Prepare_PatternTheLinearEngineRejects_Throws() =>
        Assert.Throws<ArgumentException>(() => new RuleMatcher("(?=abc)abc", backtrackingLimit: null).Prepare());
}
