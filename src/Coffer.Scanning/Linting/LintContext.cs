using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>All objects of one lint run, since some checks look across objects (bindings to roles, Secrets to NetworkPolicies).</summary>
internal sealed class LintContext(IReadOnlyList<ManifestObject> objects, LintOptions options)
{
    public IReadOnlyList<ManifestObject> Objects { get; } = objects;

    public LintOptions Options { get; } = options;

    public List<LintFinding> Findings { get; } = [];

    public IEnumerable<ManifestObject> OfKind(params string[] kinds) => Objects.Where(o => kinds.Contains(o.Kind, StringComparer.Ordinal));

    /// <summary>Reports <paramref name="what"/> on <paramref name="field"/> of <paramref name="subject"/>, located at <paramref name="node"/>.</summary>
    public void Report(LintCheck check, ManifestObject subject, string field, string what, YamlNode? node = null)
    {
        var at = (node ?? subject.Root).Start;
        Findings.Add(new LintFinding(check, $"{subject.Display}: {field}: {what}", subject.Path, (int)at.Line, (int)at.Column));
    }
}
