namespace Coffer.Scanning.Rules;

/// <summary>One kind of secret: a keyword prefilter, a linear-time regex and the samples that prove it.</summary>
/// <param name="Keywords">Case-insensitive; the regex runs only on lines holding one of them (none: every line).</param>
/// <param name="TruePositive">A line the rule must report.</param>
/// <param name="FalsePositive">A line the rule must not report.</param>
public sealed record DetectionRule(string Id, string Description, IReadOnlyList<string> Keywords, string Regex, string TruePositive, string FalsePositive)
{
    // Built on first use (most rules' keywords never appear), after any `with` that sets IsBuiltIn.
    private RuleMatcher? matcher;

    /// <summary>Minimum Shannon entropy (bits per character) of the secret; null: no check.</summary>
    public double? Entropy { get; init; }

    /// <summary>The capture group holding the secret; null: the first group if any, else the whole match.</summary>
    public int? SecretGroup { get; init; }

    /// <summary>Generic rules also drop secrets containing a stopword.</summary>
    public bool IsGeneric { get; init; }

    public Allowlist? Allowlist { get; init; }

    /// <summary>
    /// Built-in rules only: a cheap test that every line the regex and filters can report passes; lines that fail it
    /// skip the regex. Null: the regex runs on every line the keywords select.
    /// </summary>
    public LineTest? Precondition { get; init; }

    /// <summary>Shipped with Coffer: its regex may run on the bounded backtracking engine (see <see cref="RuleMatcher"/>).</summary>
    public bool IsBuiltIn { get; init; }

    internal RuleMatcher Matcher => matcher ??= new RuleMatcher(Regex, IsBuiltIn ? RuleMatcher.DefaultBacktrackingLimit : null);
}
