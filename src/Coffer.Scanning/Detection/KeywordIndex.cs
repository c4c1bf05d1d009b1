using System.Buffers;

namespace Coffer.Scanning.Detection;

/// <summary>
/// Finds in one pass over a line which rules have a keyword in it, instead of one search per rule: a vectorised search
/// for all keywords jumps to each place where one starts, and a table of keywords by their first two characters
/// (ASCII, case-folded) tells which.
/// </summary>
internal sealed class KeywordIndex
{
    private const int Ascii = 128;

    private readonly (string Keyword, int[] Rules)[]?[] byPair = new (string, int[])[]?[Ascii * Ascii];
    private readonly (string Keyword, int[] Rules)[]?[] byFirst = new (string, int[])[]?[Ascii];

    private readonly SearchValues<string>? all;

    /// <summary>Keywords starting with a non-ASCII character, checked at every place a keyword starts.</summary>
    private readonly (string Keyword, int[] Rules)[] other;

    private readonly int[] alwaysOn;

    public KeywordIndex(IReadOnlyList<IReadOnlyList<string>> keywordsPerRule)
    {
        // An empty keyword occurs in every line, as with a plain substring search.
        alwaysOn = [.. Enumerable.Range(0, keywordsPerRule.Count).Where(i => keywordsPerRule[i].Count == 0 || keywordsPerRule[i].Any(k => k.Length == 0))];
        var entries = Enumerable.Range(0, keywordsPerRule.Count)
            .SelectMany(i => keywordsPerRule[i].Where(k => k.Length > 0).Select(k => (Keyword: k.ToLowerInvariant(), Rule: i)))
            .GroupBy(e => e.Keyword, StringComparer.Ordinal)
            .Select(g => (Keyword: g.Key, Rules: g.Select(e => e.Rule).Distinct().ToArray()))
            .ToList();
        all = entries.Count == 0 ? null : SearchValues.Create([.. entries.Select(e => e.Keyword)], StringComparison.OrdinalIgnoreCase);
        other = [.. entries.Where(e => e.Keyword[0] >= Ascii || (e.Keyword.Length > 1 && e.Keyword[1] >= Ascii))];
        foreach (var group in entries.Where(e => e.Keyword.Length == 1 && e.Keyword[0] < Ascii).GroupBy(e => e.Keyword[0]))
        {
            byFirst[group.Key] = [.. group];
        }

        foreach (var group in entries.Where(e => e.Keyword.Length > 1 && e.Keyword[0] < Ascii && e.Keyword[1] < Ascii).GroupBy(e => (e.Keyword[0] * Ascii) + e.Keyword[1]))
        {
            byPair[group.Key] = [.. group];
        }
    }

    /// <summary>Every keyword (case-insensitive); null when there is none.</summary>
    public SearchValues<string>? Keywords => all;

    /// <summary>Some rule has no keyword (or an empty one), so every line is a candidate.</summary>
    public bool HasAlwaysOnRules => alwaysOn.Length > 0;

    /// <summary>
    /// Marks in <paramref name="active"/> (cleared first) every rule to run on the line; returns whether any is. The search
    /// for keywords starts at <paramref name="from"/>, when the caller knows none starts before it.
    /// </summary>
    public bool Mark(ReadOnlySpan<char> line, int from, RuleSelection active)
    {
        active.Clear();
        var any = false;
        foreach (var rule in alwaysOn)
        {
            active.Add(rule);
            any = true;
        }

        if (all is null)
        {
            return any;
        }

        line = line[Math.Min(from, line.Length)..];
        for (var start = line.IndexOfAny(all); start >= 0; start = line.IndexOfAny(all))
        {
            line = line[start..];
            var first = Fold(line[0]);
            if (first < Ascii)
            {
                any |= MarkMatches(byFirst[first], line, active);
                if (line.Length > 1 && Fold(line[1]) is var second && second < Ascii)
                {
                    any |= MarkMatches(byPair[(first * Ascii) + second], line, active);
                }
            }

            any |= MarkMatches(other, line, active);
            line = line[1..];
        }

        return any;
    }

    private static char Fold(char c) => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;

    private static bool MarkMatches((string Keyword, int[] Rules)[]? bucket, ReadOnlySpan<char> rest, RuleSelection active)
    {
        if (bucket is null)
        {
            return false;
        }

        var any = false;
        foreach (var (keyword, rules) in bucket)
        {
            if (rest.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
            {
                any |= MarkRules(rules, active);
            }
        }

        return any;
    }

    private static bool MarkRules(int[] rules, RuleSelection active)
    {
        foreach (var rule in rules)
        {
            active.Add(rule);
        }

        return true;
    }
}
