using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;

namespace Coffer.Kubernetes.Sealing;

/// <summary>
/// What the controller does with one SealedSecret, as a pure function: decrypt every value with the scope label of
/// the SealedSecret's own namespace and name, and build the Secret it owns. A value sealed for another namespace or
/// name does not decrypt, and a template naming another object is refused, so a copied SealedSecret yields nothing.
/// </summary>
public static class SealedSecretUnsealer
{
    public static SealedSecretConversion ToSecret(JsonObject sealedSecret, SealingKeySet keys, DateTimeOffset now)
    {
        var generation = sealedSecret["metadata"]?["generation"] is JsonValue g && g.GetValueKind() is System.Text.Json.JsonValueKind.Number
            && long.TryParse(g.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        try
        {
            return new SealedSecretConversion(Convert(sealedSecret, keys), Status(generation, now, true, "Unsealed", "the Secret was created from the sealed data"));
        }
        catch (ManifestException e)
        {
            return new SealedSecretConversion(null, Status(generation, now, false, "InvalidSealedSecret", e.Message));
        }
        catch (CryptographicException)
        {
            return new SealedSecretConversion(null, Status(generation, now, false, "ErrUnsealFailed", "no key could decrypt the sealed data for this namespace, name and scope"));
        }
    }

    private static JsonObject Convert(JsonObject sealedSecret, SealingKeySet keys)
    {
        SealedSecretFields.RequireKind(sealedSecret, SealedSecretFields.ApiVersion, SealedSecretFields.Kind);
        var metadata = SealedSecretFields.Object(sealedSecret, "metadata") ?? throw new ManifestException("metadata is required");
        var name = SealedSecretFields.RequireName(metadata, "name");
        var ns = SealedSecretFields.RequireName(metadata, "namespace");
        var uid = SealedSecretFields.Text(metadata, "uid") ?? throw new ManifestException("metadata.uid is required for the owner reference");
        var spec = SealedSecretFields.Object(sealedSecret, "spec") ?? throw new ManifestException("spec is required");
        var template = SealedSecretFields.Object(spec, "template");
        var templateMeta = SealedSecretFields.Object(template, "metadata");
        if (SealedSecretFields.Text(templateMeta, "name") is { } templateName && templateName != name)
        {
            throw new ManifestException("spec.template.metadata.name differs from the SealedSecret's name");
        }

        if (SealedSecretFields.Text(templateMeta, "namespace") is { } templateNs && templateNs != ns)
        {
            throw new ManifestException("spec.template.metadata.namespace differs from the SealedSecret's namespace");
        }

        var annotations = SealedSecretFields.Strings(metadata, "annotations");
        var templateAnnotations = SealedSecretFields.Strings(templateMeta, "annotations");
        var scope = SealingLabel.FromAnnotations(annotations.Count > 0 ? annotations : templateAnnotations);
        var label = SealingLabel.For(ns, name, scope);

        var data = new JsonObject();
        foreach (var (key, value) in SealedSecretFields.Strings(template, "data"))
        {
            data[key] = value;
        }

        foreach (var (key, encoded) in SealedSecretFields.Strings(spec, "encryptedData"))
        {
            byte[] ciphertext;
            try
            {
                ciphertext = System.Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                throw new ManifestException($"spec.encryptedData.{key} is not valid base64");
            }

            var plaintext = keys.Unseal(ciphertext, label);
            data[key] = System.Convert.ToBase64String(plaintext);
            CryptographicOperations.ZeroMemory(plaintext);
        }

        var secretMeta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = SealedSecretFields.ApiVersion,
                ["kind"] = SealedSecretFields.Kind,
                ["name"] = name,
                ["uid"] = uid,
                ["controller"] = true,
            }),
        };
        if (SealedSecretFields.Object(templateMeta, "labels") is { } labels)
        {
            secretMeta["labels"] = labels.DeepClone();
        }

        if (templateAnnotations.Count > 0)
        {
            secretMeta["annotations"] = templateMeta!["annotations"]!.DeepClone();
        }

        var secret = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = secretMeta,
            ["type"] = SealedSecretFields.Text(template, "type") ?? "Opaque",
            ["data"] = data,
        };
        if (template?["immutable"] is JsonValue immutable)
        {
            secret["immutable"] = immutable.DeepClone();
        }

        return secret;
    }

    private static JsonObject Status(long generation, DateTimeOffset now, bool synced, string reason, string message) => new()
    {
        ["observedGeneration"] = generation,
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Synced",
            ["status"] = synced ? "True" : "False",
            ["reason"] = reason,
            ["message"] = message,
            ["lastUpdateTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["lastTransitionTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }),
    };
}
