using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;

namespace Coffer.Kubernetes.Sealing;

/// <summary>kubeseal --re-encrypt and --validate, done where the private keys are: values never leave in plaintext.</summary>
public static class SealedSecretReencryptor
{
    /// <summary>Every value re-sealed to the newest key with the same scope; throws on any value no key opens.</summary>
    public static JsonObject Reencrypt(JsonObject sealedSecret, SealingKeySet keys)
    {
        var (label, encrypted) = Open(sealedSecret);
        var result = sealedSecret.DeepClone().AsObject();
        var target = result["spec"]!["encryptedData"]!.AsObject();
        using var publicKey = SealingCertificate.LoadPublicKey(keys.Current.CertificatePem);
        foreach (var (key, ciphertext) in encrypted)
        {
            var plaintext = keys.Unseal(ciphertext, label);
            try
            {
                target[key] = Convert.ToBase64String(HybridCipher.Encrypt(publicKey, plaintext, label));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        return result;
    }

    /// <summary>True when every value opens for this SealedSecret's namespace, name and scope.</summary>
    public static bool Verify(JsonObject sealedSecret, SealingKeySet keys)
    {
        var (label, encrypted) = Open(sealedSecret);
        try
        {
            foreach (var (_, ciphertext) in encrypted)
            {
                CryptographicOperations.ZeroMemory(keys.Unseal(ciphertext, label));
            }

            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static (byte[] Label, List<(string Key, byte[] Ciphertext)> Values) Open(JsonObject sealedSecret)
    {
        SealedSecretFields.RequireKind(sealedSecret, SealedSecretFields.ApiVersion, SealedSecretFields.Kind);
        var metadata = SealedSecretFields.Object(sealedSecret, "metadata") ?? throw new ManifestException("metadata is required");
        var scope = SealingLabel.FromAnnotations(SealedSecretFields.Strings(metadata, "annotations"));
        var ns = scope == SealingScope.ClusterWide ? string.Empty : SealedSecretFields.RequireName(metadata, "namespace");
        var name = scope == SealingScope.Strict ? SealedSecretFields.RequireName(metadata, "name") : string.Empty;
        var spec = SealedSecretFields.Object(sealedSecret, "spec") ?? throw new ManifestException("spec is required");
        var values = new List<(string, byte[])>();
        foreach (var (key, encoded) in SealedSecretFields.Strings(spec, "encryptedData"))
        {
            try
            {
                values.Add((key, Convert.FromBase64String(encoded)));
            }
            catch (FormatException)
            {
                throw new ManifestException($"spec.encryptedData.{key} is not valid base64");
            }
        }

        if (values.Count == 0)
        {
            throw new ManifestException("spec.encryptedData is empty");
        }

        return (SealingLabel.For(ns, name, scope), values);
    }
}
