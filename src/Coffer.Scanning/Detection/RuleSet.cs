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
        var all = rules.SelectMany(r => r.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        AnyKeyword = rules.Any(r => r.Keywords.Count == 0) || all.Length == 0 ? null : SearchValues.Create(all, StringComparison.OrdinalIgnoreCase);
        KeywordIndex = new KeywordIndex([.. rules.Select(r => r.Keywords)]);
    }

    public IReadOnlyList<DetectionRule> Rules { get; }

    public Allowlist Allowlist { get; }

    /// <summary>Which rules a line's keywords select, found in one pass over the line.</summary>
    internal KeywordIndex KeywordIndex { get; }

    /// <summary>Null when some rule runs on every line, so no line can be skipped early.</summary>
    internal SearchValues<string>? AnyKeyword { get; }

    public static RuleSet Default { get; } = new(DefaultRules.All, Allowlist.Empty);
}
