using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Generators;
using Coffer.Core.Secrets;
using Coffer.Crypto.Generators;
using Coffer.Server.Secrets;

namespace Coffer.Server.Rotation;

/// <summary>Turns a policy's generator list into fresh values; a CA key for TLS certificates is read from a secret in the same namespace.</summary>
internal sealed class SecretGeneration(SecretOperations secrets, TimeProvider time)
{
    private static readonly string[] Kinds = ["password", "bytes", "rsa", "ecdsa", "ed25519", "tls"];

    public async Task<Dictionary<string, byte[]>> GenerateAsync(string @namespace, IReadOnlyList<GeneratorDocument> generators, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var generator in generators)
        {
            switch (generator.Kind)
            {
                case "password":
                    values[generator.Key!] = System.Text.Encoding.UTF8.GetBytes(PasswordGenerator.Generate(Password(generator)));
                    break;
                case "bytes":
                    values[generator.Key!] = System.Text.Encoding.UTF8.GetBytes(RandomBytesGenerator.Generate(generator.Bytes ?? 32, BytesEncoding(generator)));
                    break;
                case "rsa" or "ecdsa" or "ed25519":
                    var pair = KeyPairGenerator.Generate(Algorithm(generator.Kind), generator.Bits, generator.Curve);
                    values[generator.Key!] = System.Text.Encoding.UTF8.GetBytes(pair.PrivateKey);
                    values[generator.PublicKey ?? generator.Key + ".pub"] = System.Text.Encoding.UTF8.GetBytes(pair.PublicKey);
                    break;
                default:
                    CertificateIssuer? issuer = null;
                    if (generator.IssuerSecret is { } issuerName)
                    {
                        var (_, ca) = await secrets.GetAsync(new SecretAddress(@namespace, issuerName), null, cancellationToken).ConfigureAwait(false);
                        issuer = new CertificateIssuer(Text(ca, SecretTypes.TlsCertKey), Text(ca, SecretTypes.TlsPrivateKeyKey));
                    }

                    var tls = CertificateGenerator.Generate(
                        new CertificateRequestSpec(
                            generator.CommonName!,
                            generator.DnsNames ?? [],
                            TimeSpan.FromDays(generator.ValidDays ?? 90),
                            generator.Algorithm == "rsa" ? KeyAlgorithm.Rsa : KeyAlgorithm.Ecdsa,
                            Issuer: issuer),
                        time.GetUtcNow());
                    values[SecretTypes.TlsCertKey] = System.Text.Encoding.UTF8.GetBytes(tls.Certificate);
                    values[SecretTypes.TlsPrivateKeyKey] = System.Text.Encoding.UTF8.GetBytes(tls.PrivateKey);
                    break;
            }
        }

        return values;
    }

    /// <summary>Checks a generator's fields without generating anything; the field named is <c>generate[i].x</c>.</summary>
    public static void Validate(GeneratorDocument generator, int index)
    {
        var field = $"generate[{index}]";
        if (!Kinds.Contains(generator.Kind))
        {
            throw CofferException.Invalid("InvalidGenerator", $"kind must be one of {string.Join(", ", Kinds)}", $"{field}.kind");
        }

        if (generator.Kind != "tls" && string.IsNullOrEmpty(generator.Key))
        {
            throw CofferException.Invalid("InvalidGenerator", "key (the data key to write) is required", $"{field}.key");
        }

        switch (generator.Kind)
        {
            case "password":
                _ = Password(generator).Classes();
                break;
            case "bytes":
                if (generator.Bytes is < 1 or > RandomBytesGenerator.MaxBytes)
                {
                    throw CofferException.Invalid("InvalidGenerator", $"bytes must be between 1 and {RandomBytesGenerator.MaxBytes}", $"{field}.bytes");
                }

                _ = BytesEncoding(generator);
                break;
            case "rsa" when generator.Bits is { } bits && !KeyPairGenerator.RsaSizes.Contains(bits):
                throw CofferException.Invalid("InvalidGenerator", $"bits must be one of {string.Join(", ", KeyPairGenerator.RsaSizes)}", $"{field}.bits");
            case "ecdsa" when generator.Curve is { } curve && !KeyPairGenerator.Curves.Contains(curve):
                throw CofferException.Invalid("InvalidGenerator", $"curve must be one of {string.Join(", ", KeyPairGenerator.Curves)}", $"{field}.curve");
            case "tls" when string.IsNullOrWhiteSpace(generator.CommonName) || generator.CommonName.Length > 64:
                throw CofferException.Invalid("InvalidGenerator", "commonName must be 1 to 64 characters", $"{field}.commonName");
            case "tls" when generator.ValidDays is < 1 or > 3650:
                throw CofferException.Invalid("InvalidGenerator", "validDays must be between 1 and 3650", $"{field}.validDays");
            case "tls" when generator.Algorithm is not (null or "rsa" or "ecdsa"):
                throw CofferException.Invalid("InvalidGenerator", "algorithm must be rsa or ecdsa", $"{field}.algorithm");
            default:
                break;
        }
    }

    private static PasswordPolicy Password(GeneratorDocument generator) => new(
        generator.Length ?? 32,
        generator.Lowercase ?? true,
        generator.Uppercase ?? true,
        generator.Digits ?? true,
        generator.Symbols ?? true,
        generator.Exclude);

    private static RandomBytesEncoding BytesEncoding(GeneratorDocument generator) => generator.Encoding switch
    {
        null or "base64" => RandomBytesEncoding.Base64,
        "hex" => RandomBytesEncoding.Hex,
        _ => throw CofferException.Invalid("InvalidGenerator", "encoding must be base64 or hex", "encoding"),
    };

    private static KeyAlgorithm Algorithm(string kind) => kind switch
    {
        "rsa" => KeyAlgorithm.Rsa,
        "ecdsa" => KeyAlgorithm.Ecdsa,
        _ => KeyAlgorithm.Ed25519,
    };

    private static string Text(SecretData data, string key) =>
        data.Values.TryGetValue(key, out var value)
            ? System.Text.Encoding.UTF8.GetString(value)
            : throw CofferException.Invalid("InvalidIssuer", $"the CA secret has no '{key}'", "issuerSecret");
}
