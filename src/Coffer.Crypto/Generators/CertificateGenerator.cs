using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coffer.Core.Errors;

namespace Coffer.Crypto.Generators;

/// <summary>TLS certificates for <c>kubernetes.io/tls</c> secrets, self-signed or signed by a CA key held in Coffer.</summary>
public static class CertificateGenerator
{
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(3650);

    public static TlsCertificatePem Generate(CertificateRequestSpec spec, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.CommonName) || spec.CommonName.Length > 64)
        {
            throw CofferException.Invalid("InvalidGenerator", "commonName must be 1 to 64 characters", "commonName");
        }

        if (spec.Validity <= TimeSpan.Zero || spec.Validity > MaxValidity)
        {
            throw CofferException.Invalid("InvalidGenerator", $"validity must be positive and at most {MaxValidity.TotalDays} days", "validDays");
        }

        if (spec.Algorithm == KeyAlgorithm.Ed25519)
        {
            throw CofferException.Invalid("InvalidGenerator", "TLS certificates use RSA or ECDSA keys (Ed25519 is not accepted by Kubernetes tooling)", "algorithm");
        }

        using AsymmetricAlgorithm key = spec.Algorithm == KeyAlgorithm.Rsa ? KeyPairGenerator.CreateRsa(2048) : KeyPairGenerator.CreateEcdsa("P-256");
        var names = new X500DistinguishedNameBuilder();
        names.AddCommonName(spec.CommonName);
        var subject = names.Build();
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(spec.IsCertificateAuthority, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            spec.IsCertificateAuthority ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (!spec.IsCertificateAuthority)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        }

        if (spec.DnsNames.Count > 0)
        {
            var alternatives = new SubjectAlternativeNameBuilder();
            foreach (var name in spec.DnsNames)
            {
                alternatives.AddDnsName(name);
            }

            request.CertificateExtensions.Add(alternatives.Build());
        }

        var notBefore = now.AddMinutes(-5);
        var notAfter = now + spec.Validity;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        string certificatePem;
        if (spec.Issuer is null)
        {
            using var self = request.CreateSelfSigned(notBefore, notAfter);
            certificatePem = self.ExportCertificatePem();
        }
        else
        {
            using var issuer = LoadIssuer(spec.Issuer);
            if (notAfter > issuer.NotAfter)
            {
                notAfter = issuer.NotAfter;
            }

            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            using var signed = request.Create(issuer, notBefore, notAfter, serial);
            certificatePem = signed.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem();
        }

        return new TlsCertificatePem(certificatePem + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static X509Certificate2 LoadIssuer(CertificateIssuer issuer)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(issuer.CertificatePem, issuer.PrivateKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw CofferException.Invalid("InvalidIssuer", "the CA secret must hold a PEM certificate in tls.crt and its private key in tls.key", "issuer");
        }

        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true })
        {
            certificate.Dispose();
            throw CofferException.Invalid("InvalidIssuer", "the CA secret's certificate is not a CA certificate", "issuer");
        }

        return certificate;
    }
}
