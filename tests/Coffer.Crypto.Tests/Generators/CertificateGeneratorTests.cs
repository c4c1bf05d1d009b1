using System.Security.Cryptography.X509Certificates;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Crypto.Generators;

namespace Coffer.Crypto.Tests.Generators;

public sealed class CertificateGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(KeyAlgorithm.Ecdsa)]
    [InlineData(KeyAlgorithm.Rsa)]
    public void Generate_SelfSigned_PassesTheKubernetesTlsRules(KeyAlgorithm algorithm)
    {
        var tls = CertificateGenerator.Generate(new CertificateRequestSpec("web", ["web.team-a.svc", "web"], TimeSpan.FromDays(30), algorithm), Now);
        SecretTypeRules.Validate(SecretTypes.Tls, Data(tls));
        using var certificate = X509Certificate2.CreateFromPem(tls.Certificate);
        Assert.Equal("CN=web", certificate.Subject);
        Assert.Equal(Now.AddDays(30).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        Assert.Contains("web.team-a.svc", certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void Generate_SignedByCa_ChainsToTheCa()
    {
        var ca = CertificateGenerator.Generate(new CertificateRequestSpec("coffer-ca", [], TimeSpan.FromDays(365), IsCertificateAuthority: true), Now);
        var leaf = CertificateGenerator.Generate(
            new CertificateRequestSpec("api", ["api.team-a.svc"], TimeSpan.FromDays(30), Issuer: new CertificateIssuer(ca.Certificate, ca.PrivateKey)),
            Now);
        SecretTypeRules.Validate(SecretTypes.Tls, Data(leaf));

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(leaf.Certificate);
        using var root = X509Certificate2.CreateFromPem(ca.Certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.AddDays(1).UtcDateTime;
        Assert.Equal(2, certificates.Count);
        Assert.True(chain.Build(certificates[0]), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal("CN=coffer-ca", certificates[0].Issuer);
    }

    [Fact]
    public void Generate_IssuerThatIsNotACa_IsRejected()
    {
        var notCa = CertificateGenerator.Generate(new CertificateRequestSpec("leaf", [], TimeSpan.FromDays(30)), Now);
        var error = Assert.Throws<CofferException>(() => CertificateGenerator.Generate(
            new CertificateRequestSpec("api", [], TimeSpan.FromDays(30), Issuer: new CertificateIssuer(notCa.Certificate, notCa.PrivateKey)),
            Now));
        Assert.Equal("InvalidIssuer", error.Reason);
    }

    [Theory]
    [InlineData("", 30)]
    [InlineData("web", 0)]
    [InlineData("web", 4000)]
    public void Generate_BadSpec_IsRejected(string commonName, int days) =>
        Assert.Equal("InvalidGenerator", Assert.Throws<CofferException>(() => CertificateGenerator.Generate(new CertificateRequestSpec(commonName, [], TimeSpan.FromDays(days)), Now)).Reason);

    private static SecretData Data(TlsCertificatePem tls) => SecretData.Create(new Dictionary<string, byte[]>
    {
        [SecretTypes.TlsCertKey] = Encoding.UTF8.GetBytes(tls.Certificate),
        [SecretTypes.TlsPrivateKeyKey] = Encoding.UTF8.GetBytes(tls.PrivateKey),
    });
}
