using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto.Sealing;

namespace Coffer.Crypto.Tests.Sealing;

public sealed class HybridCipherTests
{
    [Theory]
    [InlineData(SealingScope.Strict)]
    [InlineData(SealingScope.NamespaceWide)]
    [InlineData(SealingScope.ClusterWide)]
    public void EncryptThenDecrypt_EachScope_RoundTrips(SealingScope scope)
    {
        var label = SealingLabel.For("team-a", "db", scope);
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);

        var sealedBytes = HybridCipher.Encrypt(publicKey, "s3cr3t"u8, label);

        Assert.Equal("s3cr3t"u8.ToArray(), TestSealingKeys.Key.Unseal(sealedBytes, label));
    }

    [Fact]
    public void Encrypt_Layout_IsLengthRsaBlockThenGcmBody()
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);
        var value = new byte[100];

        var sealedBytes = HybridCipher.Encrypt(publicKey, value, []);

        Assert.Equal(512, BinaryPrimitives.ReadUInt16BigEndian(sealedBytes));
        Assert.Equal(2 + 512 + value.Length + 16, sealedBytes.Length);
    }

    [Fact]
    public void Encrypt_SameValueTwice_DiffersEachTime()
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);

        Assert.NotEqual(HybridCipher.Encrypt(publicKey, "v"u8, []), HybridCipher.Encrypt(publicKey, "v"u8, []));
    }

    [Theory]
    [InlineData("team-a/db", "team-a/other")]
    [InlineData("team-a/db", "team-b/db")]
    [InlineData("team-a", "team-b")]
    [InlineData("", "team-a")]
    [InlineData("team-a", "")]
    public void Decrypt_OtherScopeLabel_Throws(string sealedFor, string openedAs)
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);
        var sealedBytes = HybridCipher.Encrypt(publicKey, "v"u8, Encoding.UTF8.GetBytes(sealedFor));

        Assert.ThrowsAny<CryptographicException>(() => TestSealingKeys.Key.Unseal(sealedBytes, Encoding.UTF8.GetBytes(openedAs)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(520)]
    [InlineData(-1)]
    public void Decrypt_TamperedByte_Throws(int index)
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);
        var sealedBytes = HybridCipher.Encrypt(publicKey, "a value of some length"u8, []);
        sealedBytes[index < 0 ? sealedBytes.Length - 1 : index] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => TestSealingKeys.Key.Unseal(sealedBytes, []));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(300)]
    [InlineData(529)]
    public void Decrypt_Truncated_Throws(int length)
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Key.CertificatePem);
        var sealedBytes = HybridCipher.Encrypt(publicKey, "v"u8, []);

        Assert.ThrowsAny<CryptographicException>(() => TestSealingKeys.Key.Unseal(sealedBytes.AsSpan(0, Math.Min(length, sealedBytes.Length)), []));
    }

    [Fact]
    public void Decrypt_Oversized_IsRefusedBeforeRsa()
    {
        Assert.ThrowsAny<CryptographicException>(() => TestSealingKeys.Key.Unseal(new byte[HybridCipher.MaxCiphertextLength + 1], []));
    }

    [Fact]
    public void Decrypt_ByAnotherKey_Throws()
    {
        using var publicKey = SealingCertificate.LoadPublicKey(TestSealingKeys.Renewed.CertificatePem);
        var sealedBytes = HybridCipher.Encrypt(publicKey, "v"u8, []);

        Assert.ThrowsAny<CryptographicException>(() => TestSealingKeys.Key.Unseal(sealedBytes, []));
    }
}
