using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests.Rules;

public sealed class DefaultRulesTests
{
    [Fact]
    public void All_Count_AtLeastOneHundred() => Assert.True(DefaultRules.All.Count >= 100, $"only {DefaultRules.All.Count} rules");

    [Fact]
    public void All_Ids_Unique() => Assert.Equal(DefaultRules.All.Count, DefaultRules.All.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());

    [Fact]
    public void All_Samples_TruePositiveFoundFalsePositiveNot()
    {
        var failures = new List<string>();
        foreach (var rule in DefaultRules.All)
        {
            var detector = new LineDetector(new RuleSet([rule], Allowlist.Empty));
            var found = new List<Finding>();
            detector.Detect("sample", 1, rule.TruePositive, found);
            if (found.Count == 0)
            {
                failures.Add($"{rule.Id} missed its true positive");
            }

            found.Clear();
            detector.Detect("sample", 1, rule.FalsePositive, found);
            if (found.Count > 0)
            {
                failures.Add($"{rule.Id} fired on its false positive");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void All_TruePositives_ReportedByOwnRuleWithFullRuleSet()
    {
        var detector = new LineDetector(RuleSet.Default);
        var failures = new List<string>();
        foreach (var rule in DefaultRules.All)
        {
            var found = new List<Finding>();
            detector.Detect("sample", 1, rule.TruePositive, found);
            if (found.Count == 0)
            {
                failures.Add($"{rule.Id}: nothing found");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void All_FalsePositives_QuietWithFullRuleSet()
    {
        var detector = new LineDetector(RuleSet.Default);
        var failures = new List<string>();
        foreach (var rule in DefaultRules.All)
        {
            var found = new List<Finding>();
            detector.Detect("sample", 1, rule.FalsePositive, found);
            failures.AddRange(found.Select(f => $"{rule.Id}: {f.RuleId} fired"));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
