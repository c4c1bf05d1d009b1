using System.Text.RegularExpressions;
using Coffer.Core.Errors;

namespace Coffer.Core.Rotation;

/// <summary>A namespace's rules for secret names and metadata; <see cref="Enforce"/> rejects violations, otherwise they are warnings.</summary>
public sealed record NamingPolicy(
    string? NamePattern,
    IReadOnlyList<string> RequiredLabels,
    IReadOnlyList<string> RequiredAnnotations,
    bool Enforce)
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public const int MaxPatternLength = 512;

    /// <summary>Invalid if the pattern does not compile.</summary>
    public void Validate()
    {
        if (NamePattern is null)
        {
            return;
        }

        if (NamePattern.Length > MaxPatternLength)
        {
            throw CofferException.Invalid("InvalidNamingPolicy", $"namePattern must be at most {MaxPatternLength} characters", "naming.namePattern");
        }

        try
        {
            _ = new Regex(NamePattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (ArgumentException)
        {
            throw CofferException.Invalid("InvalidNamingPolicy", "namePattern is not a valid regular expression", "naming.namePattern");
        }
    }

    /// <summary>Each rule the secret breaks, in words that name the rule and never a value.</summary>
    public IReadOnlyList<string> Violations(string name, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> annotations)
    {
        var violations = new List<string>();
        if (NamePattern is not null
            && !Regex.IsMatch(name, $"^(?:{NamePattern})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout))
        {
            violations.Add($"name must match the pattern {NamePattern}");
        }

        violations.AddRange(RequiredLabels.Where(l => !labels.ContainsKey(l)).Select(l => $"label {l} is required"));
        violations.AddRange(RequiredAnnotations.Where(a => !annotations.ContainsKey(a)).Select(a => $"annotation {a} is required"));
        return violations;
    }
}
