using System.Text.Json.Serialization;

namespace Coffer.Kubernetes.Operator;

/// <param name="Template">Target key to a text in which <c>{{ key }}</c> stands for the Coffer key's value; replaces the plain copy when present.</param>
/// <param name="CreationPolicy">Owner (default), Orphan or Merge.</param>
/// <param name="DeletionPolicy">Delete (default) or Retain.</param>
internal sealed record CofferSecretTarget(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string>? Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations,
    [property: JsonPropertyName("template")] IReadOnlyDictionary<string, string>? Template,
    [property: JsonPropertyName("creationPolicy")] string? CreationPolicy,
    [property: JsonPropertyName("deletionPolicy")] string? DeletionPolicy);
