using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

/// <param name="Namespace">The Coffer namespace; the resource's own namespace when absent.</param>
/// <param name="Keys">Only these keys of the Coffer secret; all of them when absent.</param>
internal sealed record CofferSecretSource(
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("keys")] IReadOnlyList<string>? Keys);
