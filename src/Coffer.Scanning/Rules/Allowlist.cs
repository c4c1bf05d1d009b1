using System.Text.RegularExpressions;

namespace Coffer.Scanning.Rules;

/// <summary>What is known not to be a secret: paths (regexes), secrets (regexes) and stopwords contained in secrets.</summary>
public sealed record Allowlist(IReadOnlyList<Regex> Paths, IReadOnlyList<Regex> Regexes, IReadOnlyList<string> Stopwords)
{
    public static Allowlist Empty { get; } = new([], [], []);

    public bool AllowsPath(string path) => Paths.Any(p => p.IsMatch(path));

    public bool AllowsSecret(string secret) =>
        Regexes.Any(r => r.IsMatch(secret)) || Stopwords.Any(s => secret.Contains(s, StringComparison.OrdinalIgnoreCase));

    public Allowlist Merge(Allowlist other) => new([.. Paths, .. other.Paths], [.. Regexes, .. other.Regexes], [.. Stopwords, .. other.Stopwords]);
}
