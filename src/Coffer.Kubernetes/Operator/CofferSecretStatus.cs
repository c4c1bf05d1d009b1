using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

internal sealed record CofferSecretStatus(
    [property: JsonPropertyName("conditions")] IReadOnlyList<CofferSecretCondition>? Conditions,
    [property: JsonPropertyName("syncedVersion")] long? SyncedVersion,
    [property: JsonPropertyName("dataHash")] string? DataHash,
    [property: JsonPropertyName("lastSyncTime")] DateTimeOffset? LastSyncTime,
    [property: JsonPropertyName("observedGeneration")] long? ObservedGeneration);
