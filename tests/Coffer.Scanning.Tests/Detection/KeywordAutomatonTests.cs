using System.Text;
using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class KeywordAutomatonTests
{
    private static bool[] Mark(KeywordAutomaton automaton, string line, int rules)
    {
        var active = new bool[rules];
        var bytes = Encoding.UTF8.GetBytes(line);
        var end = automaton.FindFirst(bytes, active, out var state);
        if (end >= 0)
        {
            automaton.MarkAll(bytes.AsSpan(end + 1), state, active);
        }

        return active;
    }

    [Fact]
    public void FindFirstAndMarkAll_DefaultRulesOnSampleLines_SameRulesAsSearchingEachRulesKeywords()
    {
        var rules = RuleSet.Default.Rules;
        var automaton = KeywordAutomaton.TryBuild([.. rules.Select(r => r.Keywords)]);
        Assert.NotNull(automaton);
        var lines = rules.SelectMany(r => new[] { r.TruePositive, r.FalsePositive, r.TruePositive.ToUpperInvariant(), "x" + r.TruePositive[^3..] })
            .Append(string.Empty).Append("nothing here").Append("Ünïcödé  PASSWORD=ß").Append("é€ token\u00A0secret");

        foreach (var line in lines)
        {
            var expected = rules.Select(r => r.Keywords.Any(k => line.Contains(k, StringComparison.OrdinalIgnoreCase))).ToArray();
            Assert.True(expected.SequenceEqual(Mark(automaton, line, rules.Count)), line);
        }
    }

    [Fact]
    public void FindFirst_OverlappingKeywordsAnyCase_StopsAtTheFirstEndAndTheRestOfTheLineMarksTheOthers()
    {
        var automaton = KeywordAutomaton.TryBuild([["sk"], ["sk_live_"], ["live"], ["zzz"]])!;
        var active = new bool[4];
        var bytes = "a SK_LIVE_b"u8.ToArray();

        var end = automaton.FindFirst(bytes, active, out var state);
        Assert.Equal(3, end);
        Assert.Equal([true, false, false, false], active);

        automaton.MarkAll(bytes.AsSpan(end + 1), state, active);
        Assert.Equal([true, true, true, false], active);
        Assert.Equal(-1, automaton.FindFirst("s k_liv e zz"u8, new bool[4], out _));
    }

    [Theory]
    [InlineData("é€")]
    [InlineData("")]
    public void TryBuild_KeywordNotAsciiOrEmpty_Null(string keyword) =>
        Assert.Null(KeywordAutomaton.TryBuild([["token"], [keyword]]));

    [Fact]
    public void TryBuild_RuleWithoutKeywords_Null() => Assert.Null(KeywordAutomaton.TryBuild([["token"], []]));
}
