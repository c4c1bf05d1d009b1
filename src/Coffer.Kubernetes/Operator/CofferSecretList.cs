using System.Text.Json.Serialization;
using k8s.Models;

namespace Coffer.Kubernetes.Operator;

internal sealed record CofferSecretList(
    [property: JsonPropertyName("metadata")] V1ListMeta? Metadata,
    [property: JsonPropertyName("items")] IReadOnlyList<CofferSecretResource>? Items);
