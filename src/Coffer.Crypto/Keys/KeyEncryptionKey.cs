using System.Security.Cryptography;

using Coffer.Crypto.Envelope;

namespace Coffer.Crypto.Keys;

/// <summary>
/// One key of the ring. A retired key keeps its id and dates but no material.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int KeyLength = 32;

    /// <summary>Ciphers set up with this key, reused (null for a retired key).</summary>
    private readonly CipherPool? ciphers;

    internal KeyEncryptionKey(int id, DateTimeOffset createdAt, DateTimeOffset? retiredAt, byte[]? material)
    {
        Id = id;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
        Material = material;
        ciphers = material is null ? null : new CipherPool(material);
    }

    public int Id { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RetiredAt { get; }

    public bool IsRetired => Material is null;

    internal byte[]? Material { get; }

    /// <summary>The ciphers of the data keys this key has unwrapped lately (see <see cref="DataKeyCache"/>).</summary>
    internal DataKeyCache DataKeys { get; } = new();

    /// <summary><see cref="AeadBox.Seal(AesGcm, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> under this key.</summary>
    /// <exception cref="CryptographicException">The key is retired or forgotten.</exception>
    internal byte[] Seal(ReadOnlySpan<byte> header, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        try
        {
            return (ciphers ?? throw NoMaterial()).Seal(header, context, plaintext);
        }
        catch (ObjectDisposedException)
        {
            throw NoMaterial();
        }
    }

    /// <summary><see cref="AeadBox.Open(AesGcm, ReadOnlySpan{byte}, int, ReadOnlySpan{byte})"/> under this key.</summary>
    /// <exception cref="CryptographicException">Any mismatch, or the key is retired or forgotten.</exception>
    internal byte[] Open(ReadOnlySpan<byte> sealedBytes, int headerLength, ReadOnlySpan<byte> context)
    {
        try
        {
            return (ciphers ?? throw NoMaterial()).Open(sealedBytes, headerLength, context);
        }
        catch (ObjectDisposedException)
        {
            throw NoMaterial();
        }
    }

    /// <summary>Zeroes the material and frees every cipher that holds it or a data key it unwrapped; used when sealing.</summary>
    internal void Destroy()
    {
        if (Material is { } material)
        {
            CryptographicOperations.ZeroMemory(material);
        }

        ciphers?.Dispose();
        DataKeys.Dispose();
    }

    /// <summary>Never prints key material.</summary>
    public override string ToString() => $"kek-{Id}";

    private CryptographicException NoMaterial() => new($"key-encryption key {Id} has no material (retired, or the server sealed)");
}
