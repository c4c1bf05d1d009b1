using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

/// <param name="Role">The Coffer Kubernetes login role to read with; it must be the resource's namespace or start with "namespace-".</param>
internal sealed record CofferSecretSpec(
    [property: JsonPropertyName("source")] CofferSecretSource? Source,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("target")] CofferSecretTarget? Target);
