namespace Coffer.Scanning.Migration;

/// <summary>What <c>coffer migrate</c> would do to one manifest: the secrets to store, and the text to write once they are stored.</summary>
/// <param name="MaskedOriginal">The original text with every secret value replaced by <c>****</c>, for a diff that shows no value.</param>
/// <param name="MaskedRewritten">The rewritten text masked the same way (a Secret left alone, such as a service-account token, keeps its data).</param>
/// <param name="Replacements">How many literals (Secret documents and env values) the rewrite replaces.</param>
public sealed record MigrationPlan(string Path, string Original, string Rewritten, string MaskedOriginal, string MaskedRewritten, IReadOnlyList<MigratedSecret> Secrets, int Replacements)
{
    public bool Changes => Secrets.Count > 0;
}
