using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Crypto.Envelope;

namespace Coffer.Crypto.Keys;

/// <summary>Encrypts the key ring under the root key: "CFRK" | format 1 | generation | nonce | ciphertext | tag.</summary>
public static class KeyRingProtector
{
    private const int HeaderLength = 4 + 1 + 8;
    private static readonly byte[] Magic = "CFRK"u8.ToArray();

    public static byte[] Protect(KeyRing ring, ReadOnlySpan<byte> rootKey)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header, 0);
        header[4] = 1;
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(5), ring.Generation);
        var plaintext = ring.Serialize();
        try
        {
            return AeadBox.Seal(rootKey, header, "coffer/keyring"u8, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Decrypts a stored ring; a wrong root key throws <see cref="CryptographicException"/>.</summary>
    public static KeyRing Unprotect(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> rootKey)
    {
        if (blob.Length < HeaderLength || !blob[..4].SequenceEqual(Magic) || blob[4] != 1)
        {
            throw new CryptographicException("not a Coffer key ring");
        }

        var plaintext = AeadBox.Open(rootKey, blob, HeaderLength, "coffer/keyring"u8);
        try
        {
            var ring = KeyRing.Deserialize(plaintext);
            if (ring.Generation != BinaryPrimitives.ReadInt64BigEndian(blob[5..]))
            {
                throw new CryptographicException("key ring generation does not match its header");
            }

            return ring;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
