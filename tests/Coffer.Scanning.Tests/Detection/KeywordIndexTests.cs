using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class KeywordIndexTests
{
    [Fact]
    public void Mark_DefaultRulesOnSampleLines_SameRulesAsSearchingEachRulesKeywords()
    {
        var rules = RuleSet.Default.Rules;
        var index = new KeywordIndex([.. rules.Select(r => r.Keywords)]);
        var active = new RuleSelection(rules.Count);
        var lines = rules.SelectMany(r => new[] { r.TruePositive, r.FalsePositive, r.TruePositive.ToUpperInvariant(), "x" + r.TruePositive[^3..] })
            .Append(string.Empty).Append("nothing here").Append("Ünïcödé  PASSWORD=ß");

        foreach (var line in lines)
        {
            var any = index.Mark(line, 0, active);

            var expected = rules.Select(r => r.Keywords.Count == 0 || r.Keywords.Any(k => line.Contains(k, StringComparison.OrdinalIgnoreCase))).ToArray();
            Assert.True(expected.SequenceEqual(active.ToFlags()), line);
            Assert.Equal(expected.Any(e => e), any);
        }
    }

    [Fact]
    public void Mark_SingleCharacterNonAsciiAndOverlappingKeywords_AllFound()
    {
        var index = new KeywordIndex([["k"], ["é€"], ["sk", "sk_live_"], ["live"], []]);
        var active = new RuleSelection(5);

        Assert.True(index.Mark("A SK_LIVE_abc and É€", 0, active));
        Assert.Equal([true, true, true, true, true], active.ToFlags());

        var onlyAlwaysOn = new KeywordIndex([["abc"], []]);
        var two = new RuleSelection(2);
        Assert.True(onlyAlwaysOn.Mark("zzz", 0, two));
        Assert.Equal([false, true], two.ToFlags());

        var empty = new KeywordIndex([["abc", ""]]);
        var single = new RuleSelection(1);
        Assert.True(empty.Mark("zzz", 0, single));

        var none = new KeywordIndex([["abc"]]);
        var one = new RuleSelection(1);
        Assert.False(none.Mark("ab", 0, one));
    }

    [Fact]
    public void Mark_FromAPosition_KeywordsBeforeItIgnored()
    {
        var index = new KeywordIndex([["sk_live_"], ["token"]]);
        var active = new RuleSelection(2);

        Assert.True(index.Mark("sk_live_abc token", 3, active));
        Assert.Equal([false, true], active.ToFlags());
        Assert.False(index.Mark("token", 99, active));
        Assert.Equal([false, false], active.ToFlags());
    }
}
