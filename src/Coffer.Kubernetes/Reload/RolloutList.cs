using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Reload;

internal sealed record RolloutList([property: JsonPropertyName("items")] IReadOnlyList<Rollout>? Items);
