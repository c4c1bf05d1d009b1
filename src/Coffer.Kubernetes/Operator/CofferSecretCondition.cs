using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

internal sealed record CofferSecretCondition(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("lastTransitionTime")] DateTimeOffset LastTransitionTime);
