namespace Coffer.Scanning.Linting;

/// <summary>Judges Kubernetes manifests against Coffer's secret-handling practices; docs/lint.md lists the checks.</summary>
public sealed class ManifestLinter(LintOptions options)
{
    /// <summary>Findings ordered by path, line and column; all sources are judged together so bindings see roles in other files.</summary>
    /// <exception cref="ManifestParseException">A source is not YAML or exceeds the reader's bounds.</exception>
    public IReadOnlyList<LintFinding> Lint(IEnumerable<ManifestSource> sources)
    {
        var context = new LintContext([.. sources.SelectMany(ManifestReader.Read)], options);
        PodChecks.Run(context);
        SecretObjectChecks.Run(context);
        RbacChecks.Run(context);
        ClusterConfigChecks.Run(context);
        return [.. context.Findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.Check.Id, StringComparer.Ordinal)];
    }

    public IReadOnlyList<LintFinding> Lint(string path, string text) => Lint([new ManifestSource(path, text)]);
}
