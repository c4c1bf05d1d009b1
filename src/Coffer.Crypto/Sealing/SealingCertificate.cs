using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Crypto.Sealing;

/// <summary>The public half clients seal to: a PEM certificate, as kubeseal --fetch-cert prints, or a bare public key.</summary>
public static class SealingCertificate
{
    public static RSA LoadPublicKey(string pem)
    {
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() ?? throw new CryptographicException("the certificate does not hold an RSA key");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            throw new CryptographicException("no PEM certificate or public key found");
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>The SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") that browser and Node.js sealers take.</summary>
    public static string PublicKeyPem(string certificatePem)
    {
        using var rsa = LoadPublicKey(certificatePem);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }
}
