using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Coffer.Crypto.Tests.Generators;

public sealed class KeyPairGeneratorTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("coffer");

    [Theory]
    [InlineData(2048)]
    [InlineData(3072)]
    public void Generate_Rsa_SignsAndVerifiesWithThePair(int bits)
    {
        var pair = KeyPairGenerator.Generate(KeyAlgorithm.Rsa, rsaBits: bits);
        using var privateKey = RSA.Create();
        privateKey.ImportFromPem(pair.PrivateKey);
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(pair.PublicKey);
        Assert.Equal(bits, privateKey.KeySize);
        var signature = privateKey.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        Assert.True(publicKey.VerifyData(Message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pair.PrivateKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("P-256", 256)]
    [InlineData("P-384", 384)]
    [InlineData("P-521", 521)]
    public void Generate_Ecdsa_SignsAndVerifiesWithThePair(string curve, int size)
    {
        var pair = KeyPairGenerator.Generate(KeyAlgorithm.Ecdsa, curve: curve);
        using var privateKey = ECDsa.Create();
        privateKey.ImportFromPem(pair.PrivateKey);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(pair.PublicKey);
        Assert.Equal(size, privateKey.KeySize);
        Assert.True(publicKey.VerifyData(Message, privateKey.SignData(Message, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Generate_Ed25519_IsPkcs8AndTheDerivedPublicKeyVerifies()
    {
        var pair = KeyPairGenerator.Generate(KeyAlgorithm.Ed25519);
        var privateKey = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(Convert.FromBase64String(Body(pair.PrivateKey)));
        var publicKey = (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(Convert.FromBase64String(Body(pair.PublicKey)));
        var signer = new Ed25519Signer();
        signer.Init(true, privateKey);
        signer.BlockUpdate(Message, 0, Message.Length);
        var signature = signer.GenerateSignature();
        var verifier = new Ed25519Signer();
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
        Assert.NotEqual(pair.PrivateKey, KeyPairGenerator.Generate(KeyAlgorithm.Ed25519).PrivateKey);
    }

    [Fact]
    public void Generate_UnsupportedSizes_AreRejected()
    {
        Assert.Equal("bits", Assert.Throws<CofferException>(() => KeyPairGenerator.Generate(KeyAlgorithm.Rsa, rsaBits: 1024)).Field);
        Assert.Equal("curve", Assert.Throws<CofferException>(() => KeyPairGenerator.Generate(KeyAlgorithm.Ecdsa, curve: "secp256k1")).Field);
    }

    private static string Body(string pem) => string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
}
