using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>One Kubernetes object of the input, with what every check needs to name it.</summary>
internal sealed record ManifestObject(string Path, string ApiVersion, string Kind, string Name, string? ExplicitNamespace, YamlMappingNode Root)
{
    /// <summary>The namespace the object lands in when applied without <c>-n</c>.</summary>
    public string Namespace => ExplicitNamespace ?? "default";

    public string Display => ExplicitNamespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Name} (namespace {ExplicitNamespace})";
}
