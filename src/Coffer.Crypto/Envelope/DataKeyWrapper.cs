using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Coffer.Crypto.Keys;

namespace Coffer.Crypto.Envelope;

/// <summary>
/// Wraps a data key that someone else generated (kube-apiserver's KMS v2 seed) with a key of the ring, so the
/// key-encryption key never leaves Coffer: "CFKM" | format 1 | key id | nonce | ciphertext | tag.
/// </summary>
public static class DataKeyWrapper
{
    /// <summary>Data keys are small; anything larger is refused before any work is done.</summary>
    public const int MaxDataKeyLength = 1024;

    private const int HeaderLength = 9;
    private const string KeyIdPrefix = "coffer-kek-";
    private static readonly byte[] Magic = "CFKM"u8.ToArray();

    public static string KeyIdOf(KeyEncryptionKey key) => KeyIdPrefix + key.Id.ToString(CultureInfo.InvariantCulture);

    public static WrappedDataKey Wrap(KeyRing ring, ReadOnlySpan<byte> dataKey)
    {
        if (dataKey.IsEmpty || dataKey.Length > MaxDataKeyLength)
        {
            throw new CryptographicException($"a data key must be 1 to {MaxDataKeyLength} bytes");
        }

        var kek = ring.Current;
        var header = new byte[HeaderLength];
        Magic.CopyTo(header, 0);
        header[4] = 1;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), kek.Id);
        return new WrappedDataKey(KeyIdOf(kek), kek.Seal(header, "coffer/kms/v2"u8, dataKey));
    }

    /// <summary>
    /// Unwraps with any key still in the ring. The key id given must name the key in the ciphertext's header;
    /// an unknown or retired key, a mismatch or any tampering throws <see cref="CryptographicException"/>.
    /// </summary>
    public static byte[] Unwrap(KeyRing ring, string keyId, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < HeaderLength || !ciphertext[..4].SequenceEqual(Magic) || ciphertext[4] != 1)
        {
            throw new CryptographicException("not a Coffer KMS ciphertext");
        }

        if (ciphertext.Length > HeaderLength + AeadBox.NonceLength + MaxDataKeyLength + AeadBox.TagLength)
        {
            throw new CryptographicException("ciphertext is too large");
        }

        var id = BinaryPrimitives.ReadInt32BigEndian(ciphertext[5..]);
        var kek = ring.Find(id);
        if (kek?.Material is null || !string.Equals(keyId, KeyIdOf(kek), StringComparison.Ordinal))
        {
            throw new CryptographicException("the key id is unknown or does not match the ciphertext");
        }

        return kek.Open(ciphertext, HeaderLength, "coffer/kms/v2"u8);
    }
}
