using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Coffer.Core.Errors;

namespace Coffer.Core.Secrets;

/// <summary>The checks Kubernetes applies to each built-in Secret type, and the TLS key match it leaves to users.</summary>
public static class SecretTypeRules
{
    public const int MaxTypeLength = 253;

    public static void Validate(string type, SecretData data)
    {
        CheckTypeName(type);
        var values = data.Values;
        switch (type)
        {
            case SecretTypes.BasicAuth:
                if (!values.ContainsKey(SecretTypes.BasicAuthUsernameKey) && !values.ContainsKey(SecretTypes.BasicAuthPasswordKey))
                {
                    throw Missing(type, "data[username]", $"{SecretTypes.BasicAuth} needs 'username' or 'password'");
                }

                break;
            case SecretTypes.SshAuth:
                Require(type, values, SecretTypes.SshPrivateKeyKey);
                break;
            case SecretTypes.DockerConfigJson:
                RequireJson(type, values, SecretTypes.DockerConfigJsonKey);
                break;
            case SecretTypes.DockerConfig:
                RequireJson(type, values, SecretTypes.DockerConfigKey);
                break;
            case SecretTypes.Tls:
                ValidateTls(values);
                break;
            default:
                break;
        }
    }

    private static void CheckTypeName(string type)
    {
        if (type.Length == 0 || type.Length > MaxTypeLength || type.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw CofferException.Invalid("InvalidType", $"type must be 1 to {MaxTypeLength} printable characters without spaces", "type");
        }
    }

    private static byte[] Require(string type, IReadOnlyDictionary<string, byte[]> values, string key) =>
        values.TryGetValue(key, out var value) ? value : throw Missing(type, $"data[{key}]", $"{type} needs '{key}'");

    private static void RequireJson(string type, IReadOnlyDictionary<string, byte[]> values, string key)
    {
        var value = Require(type, values, key);
        try
        {
            using var _ = JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            // The parser's message can quote the input, so it is not passed on.
            throw CofferException.Invalid("InvalidSecretData", $"'{key}' must be valid JSON", $"data[{key}]");
        }
    }

    private static void ValidateTls(IReadOnlyDictionary<string, byte[]> values)
    {
        var cert = Encoding.UTF8.GetString(Require(SecretTypes.Tls, values, SecretTypes.TlsCertKey));
        var key = Encoding.UTF8.GetString(Require(SecretTypes.Tls, values, SecretTypes.TlsPrivateKeyKey));
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(cert);
        }
        catch (CryptographicException)
        {
            throw CofferException.Invalid("InvalidSecretData", "'tls.crt' must hold a PEM certificate", "data[tls.crt]");
        }

        using (certificate)
        {
            try
            {
                using var withKey = X509Certificate2.CreateFromPem(cert, key);
            }
            catch (CryptographicException)
            {
                var keyParses = TryParsePrivateKey(key);
                throw keyParses
                    ? CofferException.Invalid("InvalidSecretData", "'tls.key' does not match the certificate in 'tls.crt'", "data[tls.key]")
                    : CofferException.Invalid("InvalidSecretData", "'tls.key' must hold a PEM private key (RSA, EC or PKCS#8)", "data[tls.key]");
            }
            catch (ArgumentException)
            {
                throw CofferException.Invalid("InvalidSecretData", "'tls.key' must hold a PEM private key (RSA, EC or PKCS#8)", "data[tls.key]");
            }
        }
    }

    private static bool TryParsePrivateKey(string pem)
    {
        foreach (var factory in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            using var algorithm = factory();
            try
            {
                algorithm.ImportFromPem(pem);
                return true;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // Try the next algorithm.
            }
        }

        return false;
    }

    private static CofferException Missing(string type, string field, string message) =>
        CofferException.Invalid("MissingSecretData", message, field);
}
