using System.Security.Cryptography;
using Coffer.Core.Errors;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;

namespace Coffer.Crypto.Generators;

/// <summary>
/// RSA and ECDSA key pairs from the platform (whose generator is the one behind RandomNumberGenerator), and
/// Ed25519, which .NET lacks, from a seed drawn from RandomNumberGenerator with BouncyCastle deriving the public key.
/// </summary>
public static class KeyPairGenerator
{
    public static readonly int[] RsaSizes = [2048, 3072, 4096];

    public static readonly string[] Curves = ["P-256", "P-384", "P-521"];

    public static KeyPairPem Generate(KeyAlgorithm algorithm, int? rsaBits = null, string? curve = null) => algorithm switch
    {
        KeyAlgorithm.Rsa => Export(CreateRsa(rsaBits ?? 3072)),
        KeyAlgorithm.Ecdsa => Export(CreateEcdsa(curve ?? "P-256")),
        KeyAlgorithm.Ed25519 => Ed25519(),
        _ => throw CofferException.Invalid("InvalidGenerator", "unknown key algorithm", "algorithm"),
    };

    public static RSA CreateRsa(int bits) =>
        RsaSizes.Contains(bits) ? RSA.Create(bits) : throw CofferException.Invalid("InvalidGenerator", $"RSA keys must be {string.Join(", ", RsaSizes)} bits", "bits");

    public static ECDsa CreateEcdsa(string curve) => ECDsa.Create(curve switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        _ => throw CofferException.Invalid("InvalidGenerator", $"curve must be one of {string.Join(", ", Curves)}", "curve"),
    });

    private static KeyPairPem Export(AsymmetricAlgorithm key)
    {
        using (key)
        {
            return new KeyPairPem(key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
        }
    }

    private static KeyPairPem Ed25519()
    {
        var seed = RandomNumberGenerator.GetBytes(Ed25519PrivateKeyParameters.KeySize);
        try
        {
            var privateKey = new Ed25519PrivateKeyParameters(seed);
            var publicKey = privateKey.GeneratePublicKey();
            PrivateKeyInfo info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey);
            var pkcs8 = info.GetDerEncoded();
            var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();
            try
            {
                return new KeyPairPem(new string(PemEncoding.Write("PRIVATE KEY", pkcs8)), new string(PemEncoding.Write("PUBLIC KEY", spki)));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
