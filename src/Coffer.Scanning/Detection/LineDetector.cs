using System.Buffers;
using System.Text.RegularExpressions;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Detection;

/// <summary>Runs the rules over one line of text and applies the allowlists.</summary>
public sealed class LineDetector(RuleSet ruleSet)
{
    /// <summary>Lines carrying this marker (or gitleaks' own) are never reported.</summary>
    public const string AllowMarker = "coffer:allow";

    /// <summary>Just the marker, searched case-insensitively (vectorised: a plain ignore-case IndexOf is scalar in invariant mode).</summary>
    internal static readonly SearchValues<string> AllowMarkerSearch = SearchValues.Create([AllowMarker], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> AllowMarkers = SearchValues.Create([AllowMarker, "gitleaks:allow"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> GenericStopwords = SearchValues.Create(
    [
        "example", "password", "secret", "token", "client", "public", "default", "localhost", "function", "return", "process.env", "os.environ", "getenv", "config", "string",
    ], StringComparison.OrdinalIgnoreCase);

    /// <summary>Rules selected for the current line; one detector serves one thread.</summary>
    private readonly RuleSelection active = new(ruleSet.Rules.Count);

    private readonly DetectionRule[] rules = [.. ruleSet.Rules];

    public RuleSet RuleSet { get; } = ruleSet;

    public void Detect(string path, int lineNumber, string line, List<Finding> findings) => Detect(path, lineNumber, 0, line, findings);

    /// <summary>Adds the line's findings; <paramref name="columnOverride"/> (when not 0) replaces the match column, for decoded text.</summary>
    public void Detect(string path, int lineNumber, int columnOverride, string line, List<Finding> findings) =>
        Detect(path, lineNumber, columnOverride, line, line, 0, findings);

    /// <summary>
    /// Adds the findings of a line still in the scan's buffer: it becomes a string only if a regex has to run on it.
    /// No keyword starts before <paramref name="firstKeyword"/>, where the scan's own search stopped.
    /// </summary>
    internal void Detect(string path, int lineNumber, ReadOnlySpan<char> line, int firstKeyword, List<Finding> findings) =>
        Detect(path, lineNumber, 0, line, null, firstKeyword, findings);

    /// <summary>Rules the caller marks for <see cref="DetectSelected"/> (the byte-level scan finds a line's keywords itself).</summary>
    internal RuleSelection Selected => active;

    /// <summary>Adds the findings of a line whose rules are already marked in <see cref="Selected"/>.</summary>
    internal void DetectSelected(string path, int lineNumber, ReadOnlySpan<char> line, List<Finding> findings)
    {
        if (!line.ContainsAny(AllowMarkers))
        {
            RunSelected(path, lineNumber, 0, line, null, findings);
        }
    }

    private void Detect(string path, int lineNumber, int columnOverride, ReadOnlySpan<char> line, string? text, int firstKeyword, List<Finding> findings)
    {
        if (line.ContainsAny(AllowMarkers))
        {
            return;
        }

        // One pass finds whether any keyword is there and which rules it selects.
        if (RuleSet.KeywordIndex.Mark(line, firstKeyword, active))
        {
            RunSelected(path, lineNumber, columnOverride, line, text, findings);
        }
    }

    private void RunSelected(string path, int lineNumber, int columnOverride, ReadOnlySpan<char> line, string? text, List<Finding> findings)
    {
        List<(int Start, int End)>? taken = null;
        foreach (var i in active.InRuleOrder())
        {
            var rule = rules[i];
            if (rule.Precondition is { } precondition && !precondition(line))
            {
                continue;
            }

            text ??= line.ToString();
            foreach (Match match in rule.Matcher.Matches(text))
            {
                var group = SecretGroupOf(rule.SecretGroup, match);
                if (!group.Success || group.Length == 0)
                {
                    continue;
                }

                var secret = group.Value;
                var (start, end) = (group.Index, group.Index + group.Length);
                if (taken?.Exists(t => start < t.End && t.Start < end) == true || !IsSecret(rule, secret))
                {
                    continue;
                }

                (taken ??= []).Add((start, end));
                findings.Add(new Finding(rule.Id, rule.Description, path, lineNumber, columnOverride != 0 ? columnOverride : start + 1, secret));
            }
        }
    }

    private bool IsSecret(DetectionRule rule, string secret)
    {
        if (rule.Entropy is { } minimum && ShannonEntropy.Of(secret) < minimum)
        {
            return false;
        }

        if (Placeholders.IsPlaceholder(secret) || RuleSet.Allowlist.AllowsSecret(secret) || rule.Allowlist?.AllowsSecret(secret) == true)
        {
            return false;
        }

        // Generic hits need letters and digits: identifiers and prose ("db-credentials", "Options.Value") have no digits.
        return !rule.IsGeneric
            || (secret.AsSpan().ContainsAnyInRange('0', '9') && secret.Any(char.IsAsciiLetter) && !secret.AsSpan().ContainsAny(GenericStopwords));
    }

    private static Group SecretGroupOf(int? secretGroup, Match match)
    {
        if (secretGroup is { } index)
        {
            return match.Groups[index];
        }

        return match.Groups.Count > 1 ? match.Groups[1] : match.Groups[0];
    }
}
