using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Crypto.Sealing;

/// <summary>One RSA-4096 sealing key pair with its self-signed certificate, which is what clients seal to.</summary>
public sealed class SealingKey : IDisposable
{
    public const int KeySize = 4096;

    private SealingKey(X509Certificate2 certificate, RSA privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
    }

    public X509Certificate2 Certificate { get; }

    public DateTimeOffset CreatedAt => new(Certificate.NotBefore.ToUniversalTime());

    internal RSA PrivateKey { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Certificate valid for ten years, as the Sealed Secrets controller issues; renewal is by age, not expiry.</summary>
    public static SealingKey Generate(DateTimeOffset now, int keySize = KeySize)
    {
        var rsa = RSA.Create(keySize);
        try
        {
            var request = new CertificateRequest("CN=sealed-secret, O=coffer", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
            using var signed = request.CreateSelfSigned(now.AddMinutes(-1), now.AddYears(10));
            return new SealingKey(X509CertificateLoader.LoadCertificate(signed.RawData), rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>Loads a stored pair; the key must match the certificate.</summary>
    public static SealingKey FromPem(string certificatePem, string privateKeyPem)
    {
        var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
            using var publicKey = certificate.GetRSAPublicKey() ?? throw new CryptographicException("the certificate does not hold an RSA key");
            if (!publicKey.ExportParameters(false).Modulus.AsSpan().SequenceEqual(rsa.ExportParameters(false).Modulus))
            {
                throw new CryptographicException("the private key does not match the certificate");
            }

            return new SealingKey(certificate, rsa);
        }
        catch
        {
            rsa.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>PKCS#8 PEM of the private key, for storage that encrypts it at rest.</summary>
    public string ExportPrivateKeyPem() => PrivateKey.ExportPkcs8PrivateKeyPem();

    public byte[] Unseal(ReadOnlySpan<byte> ciphertext, byte[] label) => HybridCipher.Decrypt(PrivateKey, ciphertext, label);

    public void Dispose()
    {
        PrivateKey.Dispose();
        Certificate.Dispose();
    }

    public override string ToString() => $"sealing-key {Certificate.Thumbprint}";
}
