using System.Text.RegularExpressions;

namespace Coffer.Scanning.Rules;

/// <summary>
/// Runs a rule's regex. A rule from a config file always runs on the linear engine. A built-in rule runs on the
/// backtracking interpreter, which is built in microseconds where the linear engine takes milliseconds a rule, under a
/// time limit: the first line to exceed it moves the rule to the linear engine for good and is matched again there, so a
/// hostile line costs at most one limit a rule in a process, never a catastrophic backtrack, and loses no finding.
/// </summary>
internal sealed class RuleMatcher
{
    /// <summary>A line of ordinary code takes microseconds; a line this slow is hostile or pathological.</summary>
    public static readonly TimeSpan DefaultBacktrackingLimit = TimeSpan.FromMilliseconds(20);

    private readonly Lazy<Regex>? backtracking;
    private readonly Lazy<Regex> linear;
    private volatile bool backtrackingExceeded;

    /// <param name="backtrackingLimit">Null: the linear engine only (any pattern a user supplies).</param>
    public RuleMatcher(string pattern, TimeSpan? backtrackingLimit)
    {
        linear = new Lazy<Regex>(() => RulePattern.Compile(pattern));
        if (backtrackingLimit is { } limit)
        {
            backtracking = new Lazy<Regex>(() => RulePattern.CompileBacktracking(pattern, limit));
        }
    }

    /// <summary>Whether lines now go to the linear engine (always, for a config rule; after a time-out, for a built-in one).</summary>
    public bool IsLinear => backtracking is null || backtrackingExceeded;

    /// <summary>Builds the engine the next line will use, so a config rule's bad pattern fails when the config loads.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regex or needs backtracking.</exception>
    public void Prepare() => _ = IsLinear ? linear.Value : backtracking!.Value;

    /// <summary>Every match in <paramref name="line"/>, found before returning so a time-out cannot surface later.</summary>
    public MatchCollection Matches(string line)
    {
        if (!IsLinear)
        {
            try
            {
                var found = backtracking!.Value.Matches(line);
                _ = found.Count;
                return found;
            }
            catch (RegexMatchTimeoutException)
            {
                backtrackingExceeded = true;
            }
        }

        var all = linear.Value.Matches(line);
        _ = all.Count;
        return all;
    }
}
