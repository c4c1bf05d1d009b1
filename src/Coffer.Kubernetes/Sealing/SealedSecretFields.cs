using System.Text.Json.Nodes;
using Coffer.Core.Naming;

namespace Coffer.Kubernetes.Sealing;

/// <summary>Field access shared by sealing and unsealing; every refusal names the field, never a value.</summary>
internal static class SealedSecretFields
{
    public const string ApiVersion = "bitnami.com/v1alpha1";
    public const string Kind = "SealedSecret";
    public const string Group = "bitnami.com";
    public const string Version = "v1alpha1";
    public const string Plural = "sealedsecrets";

    /// <summary>On an existing Secret: the controller may take it over, as Bitnami's controller allows.</summary>
    public const string ManagedAnnotation = "sealedsecrets.bitnami.com/managed";

    public static void RequireKind(JsonObject manifest, string apiVersion, string kind)
    {
        if (Text(manifest, "apiVersion") != apiVersion || Text(manifest, "kind") != kind)
        {
            throw new ManifestException($"expected apiVersion {apiVersion} kind {kind}, got {Text(manifest, "apiVersion") ?? "none"} {Text(manifest, "kind") ?? "none"}");
        }
    }

    public static string? Text(JsonObject? node, string field)
    {
        var value = node?[field];
        if (value is null)
        {
            return null;
        }

        return value is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw new ManifestException($"{field} must be a string");
    }

    public static JsonObject? Object(JsonObject? node, string field) => node?[field] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new ManifestException($"{field} must be a mapping"),
    };

    /// <summary>A mapping of strings (data, labels, annotations).</summary>
    public static Dictionary<string, string> Strings(JsonObject? node, string field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Object(node, field) ?? [])
        {
            result[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw new ManifestException($"{field}.{key} must be a string");
        }

        return result;
    }

    public static string RequireName(JsonObject? metadata, string field)
    {
        var value = Text(metadata, field) ?? throw new ManifestException($"metadata.{field} is required");
        var rule = field == "namespace" ? KubernetesNames.CheckDns1123Label(value) : KubernetesNames.CheckDns1123Subdomain(value);
        if (rule is not null)
        {
            throw new ManifestException($"metadata.{field} {rule}");
        }

        return value;
    }
}
