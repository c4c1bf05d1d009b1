using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Core.Tests.Secrets;

/// <summary>Self-signed certificates made in-process, as PEM text.</summary>
internal static class TestCertificates
{
    public static (string CertificatePem, string KeyPem) CreateRsa(string subject = "CN=test")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public static (string CertificatePem, string KeyPem) CreateEcdsa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ec", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (certificate.ExportCertificatePem(), key.ExportECPrivateKeyPem());
    }
}
