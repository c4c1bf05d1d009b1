using System.Buffers;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Detection;

/// <summary>The rules of one scan and the global allowlist, with the keyword searches built once.</summary>
public sealed class RuleSet
{
    // Built on first use: a scan of files needs only the automaton, and every scan pays for what is built here.
    private readonly Lazy<KeywordIndex> keywordIndex;

    public RuleSet(IReadOnlyList<DetectionRule> rules, Allowlist allowlist)
    {
        Rules = rules;
        Allowlist = allowlist;
        IReadOnlyList<IReadOnlyList<string>> keywords = [.. rules.Select(r => r.Keywords)];
        keywordIndex = new Lazy<KeywordIndex>(() => new KeywordIndex(keywords));
        Automaton = KeywordAutomaton.TryBuild(keywords);
    }

    public IReadOnlyList<DetectionRule> Rules { get; }

    public Allowlist Allowlist { get; }

    /// <summary>Which rules a line's keywords select, found in one pass over the line (for text already in characters).</summary>
    internal KeywordIndex KeywordIndex => keywordIndex.Value;

    /// <summary>The keywords over UTF-8 bytes, for files and UTF-8 input; null when some keyword or rule does not allow it.</summary>
    internal KeywordAutomaton? Automaton { get; }

    /// <summary>Every keyword, for the character search; null when some rule runs on every line, so no line can be skipped early.</summary>
    internal SearchValues<string>? AnyKeyword => KeywordIndex.HasAlwaysOnRules ? null : KeywordIndex.Keywords;

    public static RuleSet Default { get; } = new(DefaultRules.All, Allowlist.Empty);
}
