using System.Text.Json.Serialization;
using k8s.Models;

namespace Coffer.Kubernetes.Operator;

/// <summary>The <c>CofferSecret</c> custom resource: which Coffer secret to project into which native Secret.</summary>
internal sealed record CofferSecretResource(
    [property: JsonPropertyName("apiVersion")] string? ApiVersion,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("metadata")] V1ObjectMeta Metadata,
    [property: JsonPropertyName("spec")] CofferSecretSpec? Spec,
    [property: JsonPropertyName("status")] CofferSecretStatus? Status)
{
    public string Namespace => Metadata.NamespaceProperty ?? "default";

    public string Name => Metadata.Name;

    public string TargetName => Spec?.Target?.Name ?? Name;
}
