using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coffer.Crypto.Sealing;

namespace Coffer.Crypto.Tests.Sealing;

public sealed class SealingKeySetTests
{
    [Fact]
    public void Unseal_ValueSealedToAnOlderKey_StillOpensAfterRenewal()
    {
        var set = new SealingKeySet([TestSealingKeys.Key, TestSealingKeys.Renewed]);
        using var old = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);
        using var current = SealingCertificate.LoadPublicKey(set.Current.CertificatePem);

        Assert.Equal("old"u8.ToArray(), set.Unseal(HybridCipher.Encrypt(old, "old"u8, []), []));
        Assert.Equal("new"u8.ToArray(), set.Unseal(HybridCipher.Encrypt(current, "new"u8, []), []));
    }

    [Fact]
    public void Unseal_NoKeyFits_Throws()
    {
        var set = new SealingKeySet([TestSealingKeys.Key]);
        using var other = SealingCertificate.LoadPublicKey(TestSealingKeys.Renewed.CertificatePem);

        Assert.ThrowsAny<CryptographicException>(() => set.Unseal(HybridCipher.Encrypt(other, "v"u8, []), []));
    }

    [Fact]
    public void NeedsRenewal_ThirtyDaysAfterTheNewestKey_IsTrue()
    {
        var set = new SealingKeySet([TestSealingKeys.Key]);

        Assert.False(set.NeedsRenewal(TestSealingKeys.Created.AddDays(29)));
        Assert.True(set.NeedsRenewal(TestSealingKeys.Created.AddDays(30)));
    }

    [Fact]
    public void Generate_IsRsa4096WithASelfSignedCertificate()
    {
        var certificate = TestSealingKeys.Key.Certificate;
        using var rsa = certificate.GetRSAPublicKey();

        Assert.Equal(4096, rsa!.KeySize);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.True(certificate.NotAfter > TestSealingKeys.Created.AddYears(9).UtcDateTime);
    }

    [Fact]
    public void FromPem_RoundTripsAndRefusesAMismatchedKey()
    {
        using var loaded = SealingKey.FromPem(TestSealingKeys.Key.CertificatePem, TestSealingKeys.Key.ExportPrivateKeyPem());
        using var publicKey = SealingCertificate.LoadPublicKey(loaded.CertificatePem);

        Assert.Equal("v"u8.ToArray(), loaded.Unseal(HybridCipher.Encrypt(publicKey, "v"u8, []), []));
        Assert.ThrowsAny<CryptographicException>(() => SealingKey.FromPem(TestSealingKeys.Key.CertificatePem, TestSealingKeys.Renewed.ExportPrivateKeyPem()));
    }

    [Theory]
    [InlineData("strict", SealingScope.Strict)]
    [InlineData("", SealingScope.Strict)]
    [InlineData("namespace-wide", SealingScope.NamespaceWide)]
    [InlineData("cluster-wide", SealingScope.ClusterWide)]
    public void TryParse_KubesealScopeNames_Parse(string name, SealingScope expected) =>
        Assert.Equal(expected, SealingLabel.TryParse(name));

    [Fact]
    public void FromAnnotations_ClusterWideWinsAndOnlyTrueCounts()
    {
        Assert.Equal(SealingScope.ClusterWide, SealingLabel.FromAnnotations(new Dictionary<string, string> { [SealingLabel.ClusterWideAnnotation] = "true", [SealingLabel.NamespaceWideAnnotation] = "true" }));
        Assert.Equal(SealingScope.NamespaceWide, SealingLabel.FromAnnotations(new Dictionary<string, string> { [SealingLabel.NamespaceWideAnnotation] = "true" }));
        Assert.Equal(SealingScope.Strict, SealingLabel.FromAnnotations(new Dictionary<string, string> { [SealingLabel.ClusterWideAnnotation] = "yes" }));
        Assert.Equal("team-a/db"u8.ToArray(), SealingLabel.For("team-a", "db", SealingScope.Strict));
        Assert.Equal("team-a"u8.ToArray(), SealingLabel.For("team-a", "db", SealingScope.NamespaceWide));
        Assert.Empty(SealingLabel.For("team-a", "db", SealingScope.ClusterWide));
        Assert.Null(SealingLabel.TryParse("wide"));
    }
}
