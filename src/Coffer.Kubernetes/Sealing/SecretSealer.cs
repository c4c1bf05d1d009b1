using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;

namespace Coffer.Kubernetes.Sealing;

/// <summary>Turns a Secret into a SealedSecret (bitnami.com/v1alpha1) the way kubeseal does: only the public key is needed.</summary>
public static class SecretSealer
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <param name="scope">Overrides the scope the Secret's annotations ask for.</param>
    public static JsonObject Seal(JsonObject secret, RSA publicKey, SealingScope? scope = null)
    {
        SealedSecretFields.RequireKind(secret, "v1", "Secret");
        var metadata = SealedSecretFields.Object(secret, "metadata") ?? throw new ManifestException("metadata is required");
        var annotations = SealedSecretFields.Strings(metadata, "annotations");
        var effective = scope ?? SealingLabel.FromAnnotations(annotations);
        var ns = effective == SealingScope.ClusterWide ? SealedSecretFields.Text(metadata, "namespace") : SealedSecretFields.RequireName(metadata, "namespace");
        var name = effective == SealingScope.Strict ? SealedSecretFields.RequireName(metadata, "name") : SealedSecretFields.Text(metadata, "name");
        annotations.Remove(LastApplied);
        annotations.Remove(SealingLabel.NamespaceWideAnnotation);
        annotations.Remove(SealingLabel.ClusterWideAnnotation);
        if (effective == SealingScope.NamespaceWide)
        {
            annotations[SealingLabel.NamespaceWideAnnotation] = "true";
        }
        else if (effective == SealingScope.ClusterWide)
        {
            annotations[SealingLabel.ClusterWideAnnotation] = "true";
        }

        var label = SealingLabel.For(ns ?? string.Empty, name ?? string.Empty, effective);
        var encrypted = new JsonObject();
        SealInto(encrypted, secret, publicKey, label);

        var objectMeta = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null };
        var templateMeta = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null };
        if (annotations.Count > 0)
        {
            objectMeta["annotations"] = ToObject(annotations.Where(a => a.Key.StartsWith("sealedsecrets.bitnami.com/", StringComparison.Ordinal)));
            templateMeta["annotations"] = ToObject(annotations);
        }

        var labels = SealedSecretFields.Strings(metadata, "labels");
        if (labels.Count > 0)
        {
            templateMeta["labels"] = ToObject(labels);
        }

        var template = new JsonObject { ["metadata"] = templateMeta };
        if (SealedSecretFields.Text(secret, "type") is { } type)
        {
            template["type"] = type;
        }

        if (secret["immutable"] is JsonValue immutable)
        {
            template["immutable"] = immutable.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = SealedSecretFields.ApiVersion,
            ["kind"] = SealedSecretFields.Kind,
            ["metadata"] = objectMeta,
            ["spec"] = new JsonObject { ["encryptedData"] = encrypted, ["template"] = template },
        };
    }

    /// <summary>kubeseal --raw: one value, base64 of the hybrid ciphertext.</summary>
    public static string SealRaw(ReadOnlySpan<byte> value, RSA publicKey, string? @namespace, string? name, SealingScope scope)
    {
        if (scope != SealingScope.ClusterWide && string.IsNullOrEmpty(@namespace))
        {
            throw new ManifestException("a namespace is required unless the scope is cluster-wide");
        }

        if (scope == SealingScope.Strict && string.IsNullOrEmpty(name))
        {
            throw new ManifestException("a name is required for the strict scope");
        }

        return Convert.ToBase64String(HybridCipher.Encrypt(publicKey, value, SealingLabel.For(@namespace ?? string.Empty, name ?? string.Empty, scope)));
    }

    /// <summary>kubeseal --merge-into: seals the Secret's keys with the SealedSecret's own scope and replaces or adds them.</summary>
    public static JsonObject MergeInto(JsonObject sealedSecret, JsonObject secret, RSA publicKey)
    {
        SealedSecretFields.RequireKind(sealedSecret, SealedSecretFields.ApiVersion, SealedSecretFields.Kind);
        SealedSecretFields.RequireKind(secret, "v1", "Secret");
        var merged = sealedSecret.DeepClone().AsObject();
        var metadata = SealedSecretFields.Object(merged, "metadata") ?? throw new ManifestException("metadata is required");
        var scope = SealingLabel.FromAnnotations(SealedSecretFields.Strings(metadata, "annotations"));
        var ns = SealedSecretFields.Text(metadata, "namespace") ?? string.Empty;
        var name = SealedSecretFields.Text(metadata, "name") ?? string.Empty;
        var spec = SealedSecretFields.Object(merged, "spec") ?? throw new ManifestException("spec is required");
        if (spec["encryptedData"] is not JsonObject encrypted)
        {
            encrypted = [];
            spec["encryptedData"] = encrypted;
        }

        var label = SealingLabel.For(ns, name, scope);
        SealInto(encrypted, secret, publicKey, label);

        return merged;
    }

    /// <summary>Seals every value of <paramref name="secret"/> into <paramref name="encrypted"/>; each decoded value is zeroed, whatever fails.</summary>
    private static void SealInto(JsonObject encrypted, JsonObject secret, RSA publicKey, byte[] label)
    {
        var values = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            Values(secret, values);
            foreach (var (key, value) in values)
            {
                encrypted[key] = Convert.ToBase64String(HybridCipher.Encrypt(publicKey, value, label));
            }
        }
        finally
        {
            foreach (var value in values.Values)
            {
                CryptographicOperations.ZeroMemory(value);
            }
        }
    }

    /// <summary>data (base64) then stringData, which wins on a shared key, as the API server merges them.</summary>
    private static void Values(JsonObject secret, SortedDictionary<string, byte[]> values)
    {
        foreach (var (key, encoded) in SealedSecretFields.Strings(secret, "data"))
        {
            try
            {
                values[key] = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                throw new ManifestException($"data.{key} is not valid base64");
            }
        }

        foreach (var (key, text) in SealedSecretFields.Strings(secret, "stringData"))
        {
            if (values.Remove(key, out var replaced))
            {
                CryptographicOperations.ZeroMemory(replaced);
            }

            values[key] = Encoding.UTF8.GetBytes(text);
        }

        if (values.Count == 0)
        {
            throw new ManifestException("the Secret has no data or stringData to seal");
        }

        foreach (var key in values.Keys)
        {
            if (Core.Secrets.SecretData.CheckKey(key) is { } rule)
            {
                throw new ManifestException($"data key {rule}");
            }
        }
    }

    private static JsonObject ToObject(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var result = new JsonObject();
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result[key] = value;
        }

        return result;
    }
}
