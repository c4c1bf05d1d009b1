using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Coffer.Crypto.Sealing;

/// <summary>
/// The Sealed Secrets hybrid format, byte for byte: uint16 big-endian length of the RSA ciphertext | RSA-OAEP
/// (SHA-256, MGF1-SHA-256, the scope label) of a fresh 32-byte session key | AES-256-GCM of the value under that key
/// with a zero 12-byte nonce and no associated data, 16-byte tag appended. The session key is used once, so the fixed
/// nonce never repeats under one key.
/// </summary>
public static class HybridCipher
{
    public const int SessionKeyLength = 32;

    /// <summary>Bigger ciphertexts are refused before any RSA work; a Secret is at most 1 MiB.</summary>
    public const int MaxCiphertextLength = 2 * 1024 * 1024;

    private const int NonceLength = 12;
    private const int TagLength = 16;

    public static byte[] Encrypt(RSA publicKey, ReadOnlySpan<byte> plaintext, byte[] label)
    {
        var parameters = publicKey.ExportParameters(includePrivateParameters: false);
        var oaep = Oaep(label);
        oaep.Init(true, new ParametersWithRandom(new RsaKeyParameters(false, Positive(parameters.Modulus!), Positive(parameters.Exponent!)), new SecureRandom()));
        var sessionKey = RandomNumberGenerator.GetBytes(SessionKeyLength);
        try
        {
            var wrapped = oaep.ProcessBlock(sessionKey, 0, sessionKey.Length);
            var output = new byte[2 + wrapped.Length + plaintext.Length + TagLength];
            BinaryPrimitives.WriteUInt16BigEndian(output, checked((ushort)wrapped.Length));
            wrapped.CopyTo(output, 2);
            var body = output.AsSpan(2 + wrapped.Length);
            using var aes = new AesGcm(sessionKey, TagLength);
            aes.Encrypt(stackalloc byte[NonceLength], plaintext, body[..plaintext.Length], body[plaintext.Length..]);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    /// <summary>Any mismatch (wrong key, wrong label, tampering, truncation) throws <see cref="CryptographicException"/>.</summary>
    public static byte[] Decrypt(RSA privateKey, ReadOnlySpan<byte> ciphertext, byte[] label)
    {
        if (ciphertext.Length < 2 || ciphertext.Length > MaxCiphertextLength)
        {
            throw new CryptographicException("sealed data is too short or too long");
        }

        var rsaLength = BinaryPrimitives.ReadUInt16BigEndian(ciphertext);
        if (ciphertext.Length < 2 + rsaLength + TagLength)
        {
            throw new CryptographicException("sealed data is too short");
        }

        var sessionKey = UnwrapSessionKey(privateKey, ciphertext.Slice(2, rsaLength).ToArray(), label);
        try
        {
            var body = ciphertext[(2 + rsaLength)..];
            var plaintext = new byte[body.Length - TagLength];
            using var aes = new AesGcm(sessionKey, TagLength);
            aes.Decrypt(stackalloc byte[NonceLength], body[..^TagLength], body[^TagLength..], plaintext);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    private static byte[] UnwrapSessionKey(RSA privateKey, byte[] wrapped, byte[] label)
    {
        var p = privateKey.ExportParameters(includePrivateParameters: true);
        try
        {
            var key = new RsaPrivateCrtKeyParameters(
                Positive(p.Modulus!), Positive(p.Exponent!), Positive(p.D!), Positive(p.P!), Positive(p.Q!), Positive(p.DP!), Positive(p.DQ!), Positive(p.InverseQ!));
            var oaep = Oaep(label);
            oaep.Init(false, new ParametersWithRandom(key, new SecureRandom()));
            var sessionKey = oaep.ProcessBlock(wrapped, 0, wrapped.Length);
            if (sessionKey.Length != SessionKeyLength)
            {
                CryptographicOperations.ZeroMemory(sessionKey);
                throw new CryptographicException("the session key has the wrong length");
            }

            return sessionKey;
        }
        catch (Org.BouncyCastle.Crypto.InvalidCipherTextException)
        {
            throw new CryptographicException("the session key does not decrypt with this key and scope");
        }
        catch (Org.BouncyCastle.Crypto.DataLengthException)
        {
            throw new CryptographicException("the session key does not decrypt with this key and scope");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
            CryptographicOperations.ZeroMemory(p.P);
            CryptographicOperations.ZeroMemory(p.Q);
            CryptographicOperations.ZeroMemory(p.DP);
            CryptographicOperations.ZeroMemory(p.DQ);
            CryptographicOperations.ZeroMemory(p.InverseQ);
        }
    }

    // Blinded, so decryption time does not depend on the private key.
    private static OaepEncoding Oaep(byte[] label) => new(new RsaBlindedEngine(), new Sha256Digest(), new Sha256Digest(), label);

    private static Org.BouncyCastle.Math.BigInteger Positive(byte[] bigEndian) => new(1, bigEndian);
}
