using System.Buffers;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Detection;

/// <summary>The rules of one scan and the global allowlist, with the keyword index built once.</summary>
public sealed class RuleSet
{
    public RuleSet(IReadOnlyList<DetectionRule> rules, Allowlist allowlist)
    {
        Rules = rules;
        Allowlist = allowlist;
        KeywordIndex = new KeywordIndex([.. rules.Select(r => r.Keywords)]);
        Automaton = KeywordAutomaton.TryBuild([.. rules.Select(r => r.Keywords)]);
        AnyKeyword = KeywordIndex.HasAlwaysOnRules ? null : KeywordIndex.Keywords;
    }

    public IReadOnlyList<DetectionRule> Rules { get; }

    public Allowlist Allowlist { get; }

    /// <summary>Which rules a line's keywords select, found in one pass over the line.</summary>
    internal KeywordIndex KeywordIndex { get; }

    /// <summary>The keywords over UTF-8 bytes, for files and UTF-8 input; null when some keyword or rule does not allow it.</summary>
    internal KeywordAutomaton? Automaton { get; }

    /// <summary>Null when some rule runs on every line, so no line can be skipped early.</summary>
    internal SearchValues<string>? AnyKeyword { get; }

    public static RuleSet Default { get; } = new(DefaultRules.All, Allowlist.Empty);
}
