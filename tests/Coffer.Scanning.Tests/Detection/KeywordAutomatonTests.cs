using System.Text;
using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class KeywordAutomatonTests
{
    private static bool[] Mark(KeywordAutomaton automaton, string line, int rules)
    {
        var active = new RuleSelection(rules);
        var bytes = Encoding.UTF8.GetBytes(line);
        var hits = new List<(int End, int State)>();
        automaton.FindLines(bytes, hits, []);
        if (hits is [var (end, state)])
        {
            automaton.MarkLine(state, bytes.AsSpan(end + 1), active);
        }

        return active.ToFlags();
    }

    [Fact]
    public void FindLinesAndMarkLine_DefaultRulesOnSampleLines_SameRulesAsSearchingEachRulesKeywords()
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
    public void FindLines_OverlappingKeywordsAnyCase_StopsAtTheFirstEndAndTheRestOfTheLineMarksTheOthers()
    {
        var automaton = KeywordAutomaton.TryBuild([["sk"], ["sk_live_"], ["live"], ["zzz"]])!;
        var active = new RuleSelection(4);
        var bytes = "a SK_LIVE_b"u8.ToArray();
        var hits = new List<(int End, int State)>();

        automaton.FindLines(bytes, hits, []);
        var (end, state) = Assert.Single(hits);
        Assert.Equal(3, end);

        automaton.MarkLine(state, bytes.AsSpan(end + 1), active);
        Assert.Equal([true, true, true, false], active.ToFlags());
        hits.Clear();
        automaton.FindLines("s k_liv e zz"u8, hits, []);
        Assert.Empty(hits);
    }

    [Fact]
    public void FindLines_ManyLinesBothHalves_FirstKeywordEndOfEachLineWithOneInOrder()
    {
        var automaton = KeywordAutomaton.TryBuild([["token"], ["sk_"]])!;
        var lines = Enumerable.Range(0, 200).Select(i => (i % 7) switch
        {
            0 => $"token {i} sk_ token",
            3 => $"x{i}sk_",
            5 => $"TOKEN",
            _ => $"nothing {i} to see here, to ken, s k",
        }).ToList();
        var text = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        var expected = new List<int>();
        var offset = 0;
        foreach (var line in lines)
        {
            var first = new[] { "token", "sk_" }.Select(k => line.IndexOf(k, StringComparison.OrdinalIgnoreCase) is var at and >= 0 ? at + k.Length - 1 : int.MaxValue).Min();
            if (first != int.MaxValue)
            {
                expected.Add(offset + first);
            }

            offset += line.Length + 1;
        }

        var hits = new List<(int End, int State)>();
        automaton.FindLines(text, hits, []);

        Assert.Equal(expected, hits.Select(h => h.End));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("token")]
    [InlineData("\ntoken\n")]
    public void FindLines_ShortOrEmptyText_EveryKeywordLineOnce(string text)
    {
        var automaton = KeywordAutomaton.TryBuild([["token"]])!;
        var hits = new List<(int End, int State)>();

        automaton.FindLines(Encoding.UTF8.GetBytes(text), hits, []);

        Assert.Equal(text.Contains("token", StringComparison.Ordinal) ? [text.IndexOf("token", StringComparison.Ordinal) + 4] : Array.Empty<int>(), hits.Select(h => h.End));
    }

    [Fact]
    public void TryBuild_KeywordAcrossALineBreak_Null() => Assert.Null(KeywordAutomaton.TryBuild([["to\nken"]]));

    [Theory]
    [InlineData("é€")]
    [InlineData("")]
    public void TryBuild_KeywordNotAsciiOrEmpty_Null(string keyword) =>
        Assert.Null(KeywordAutomaton.TryBuild([["token"], [keyword]]));

    [Fact]
    public void TryBuild_RuleWithoutKeywords_Null() => Assert.Null(KeywordAutomaton.TryBuild([["token"], []]));
}
