using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

/// <summary>JSON as the Kubernetes API writes it: camelCase, nulls left out.</summary>
internal static class KubernetesJsonOptions
{
    public static JsonSerializerOptions Value { get; } = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
