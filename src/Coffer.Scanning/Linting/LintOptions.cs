using System.Text.RegularExpressions;

namespace Coffer.Scanning.Linting;

/// <summary>What a team may tune: today only the Secret naming convention.</summary>
public sealed record LintOptions
{
    /// <summary><c>&lt;app&gt;-&lt;kind&gt;-v&lt;version&gt;</c>, such as <c>billing-db-v2</c>: the version lets a rotation roll out under a new name.</summary>
    public const string DefaultSecretNamePattern = "^[a-z0-9]+(-[a-z0-9]+)*-[a-z0-9]+-v[0-9]+$";

    public Regex SecretNamePattern { get; init; } = new(DefaultSecretNamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
