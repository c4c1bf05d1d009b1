using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Secrets;
using Coffer.Crypto.Keys;

namespace Coffer.Crypto.Envelope;

/// <summary>
/// Envelope encryption of one secret version. A fresh 256-bit data key encrypts the data once
/// ("CFRD" | format 1 | nonce | ciphertext | tag); the key-encryption key wraps the data key
/// ("CFRW" | format 1 | key id | nonce | ciphertext | tag). Both bind namespace, name and version.
/// </summary>
public static class EnvelopeCipher
{
    private const int DataHeaderLength = 5;
    private const int WrapHeaderLength = 9;
    private const int DataKeyLength = 32;
    private static readonly byte[] DataMagic = "CFRD"u8.ToArray();
    private static readonly byte[] WrapMagic = "CFRW"u8.ToArray();

    public static SealedPayload Seal(KeyRing ring, SecretAddress address, long version, ReadOnlySpan<byte> plaintext)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyLength);
        try
        {
            var context = Context(address, version);
            var ciphertext = AeadBox.Seal(dataKey, [.. DataMagic, 1], context, plaintext);
            var kek = ring.Current;
            return new SealedPayload(kek.Id, Wrap(kek, dataKey, context), ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Decrypts a version; a payload moved to another record or tampered with throws <see cref="CryptographicException"/>.</summary>
    public static byte[] Open(KeyRing ring, SecretAddress address, long version, SealedPayload payload)
    {
        if (payload.Ciphertext.Length < DataHeaderLength || !payload.Ciphertext.AsSpan(0, 4).SequenceEqual(DataMagic) || payload.Ciphertext[4] != 1)
        {
            throw new CryptographicException("not a Coffer data ciphertext");
        }

        var context = Context(address, version);
        var kek = KeyOf(ring, payload);
        try
        {
            // A version read before reuses the ciphers set up with its data key; only a new one is unwrapped.
            return kek.DataKeys.Get(payload.WrappedKey, context, () => Unwrap(kek, payload.WrappedKey, context))
                .Open(payload.Ciphertext, DataHeaderLength, context);
        }
        catch (ObjectDisposedException)
        {
            // Its ciphers were dropped meanwhile (the cache was full, or the server sealed): unwrap afresh.
            var dataKey = Unwrap(kek, payload.WrappedKey, context);
            try
            {
                return AeadBox.Open(dataKey, payload.Ciphertext, DataHeaderLength, context);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
    }

    /// <summary>Re-wraps the data key under the ring's current key; the data ciphertext is unchanged.</summary>
    public static SealedPayload Rewrap(KeyRing ring, SecretAddress address, long version, SealedPayload payload)
    {
        var context = Context(address, version);
        var dataKey = Unwrap(ring, payload, context);
        try
        {
            var kek = ring.Current;
            return payload with { KeyId = kek.Id, WrappedKey = Wrap(kek, dataKey, context) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static byte[] Wrap(KeyEncryptionKey kek, byte[] dataKey, byte[] context)
    {
        var header = new byte[WrapHeaderLength];
        WrapMagic.CopyTo(header, 0);
        header[4] = 1;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), kek.Id);
        return kek.Seal(header, context, dataKey);
    }

    private static byte[] Unwrap(KeyRing ring, SealedPayload payload, byte[] context) => Unwrap(KeyOf(ring, payload), payload.WrappedKey, context);

    private static byte[] Unwrap(KeyEncryptionKey kek, byte[] wrapped, byte[] context) => kek.Open(wrapped, WrapHeaderLength, context);

    /// <summary>The ring's key that wrapped the payload's data key, after checking the wrapped key's header names it.</summary>
    private static KeyEncryptionKey KeyOf(KeyRing ring, SealedPayload payload)
    {
        var wrapped = payload.WrappedKey;
        if (wrapped.Length < WrapHeaderLength || !wrapped.AsSpan(0, 4).SequenceEqual(WrapMagic) || wrapped[4] != 1)
        {
            throw new CryptographicException("not a Coffer wrapped key");
        }

        var keyId = BinaryPrimitives.ReadInt32BigEndian(wrapped.AsSpan(5));
        if (keyId != payload.KeyId)
        {
            throw new CryptographicException("wrapped key names another key-encryption key");
        }

        var kek = ring.Find(keyId);
        return kek?.Material is null
            ? throw new CryptographicException($"key-encryption key {keyId} is not in the ring")
            : kek;
    }

    /// <summary>Length-prefixed namespace and name plus the version, so no two records share a context.</summary>
    private static byte[] Context(SecretAddress address, long version)
    {
        var ns = Encoding.UTF8.GetBytes(address.Namespace);
        var name = Encoding.UTF8.GetBytes(address.Name);
        var context = new byte[2 + ns.Length + 2 + name.Length + 8];
        var span = context.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)ns.Length);
        ns.CopyTo(span[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(2 + ns.Length)..], (ushort)name.Length);
        name.CopyTo(span[(4 + ns.Length)..]);
        BinaryPrimitives.WriteInt64BigEndian(span[(4 + ns.Length + name.Length)..], version);
        return context;
    }
}
