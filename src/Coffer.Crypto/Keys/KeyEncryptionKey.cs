using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Coffer.Crypto.Keys;

/// <summary>
/// One key of the ring. A retired key keeps its id and dates but no material.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int KeyLength = 32;

    /// <summary>Idle ciphers kept per key: about one per thread that wraps or unwraps at once.</summary>
    private const int MaxIdleCiphers = 16;

    /// <summary>Ciphers set up with this key, reused: setting one up costs more than wrapping a data key with it.</summary>
    private readonly ConcurrentQueue<AesGcm> idle = new();
    private volatile bool destroyed;

    internal KeyEncryptionKey(int id, DateTimeOffset createdAt, DateTimeOffset? retiredAt, byte[]? material)
    {
        Id = id;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
        Material = material;
    }

    public int Id { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RetiredAt { get; }

    public bool IsRetired => Material is null;

    internal byte[]? Material { get; }

    /// <summary><see cref="Envelope.AeadBox.Seal(AesGcm, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> under this key.</summary>
    internal byte[] Seal(ReadOnlySpan<byte> header, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        var cipher = Rent();
        try
        {
            return Envelope.AeadBox.Seal(cipher, header, context, plaintext);
        }
        finally
        {
            Return(cipher);
        }
    }

    /// <summary><see cref="Envelope.AeadBox.Open(AesGcm, ReadOnlySpan{byte}, int, ReadOnlySpan{byte})"/> under this key.</summary>
    internal byte[] Open(ReadOnlySpan<byte> sealedBytes, int headerLength, ReadOnlySpan<byte> context)
    {
        var cipher = Rent();
        try
        {
            return Envelope.AeadBox.Open(cipher, sealedBytes, headerLength, context);
        }
        finally
        {
            Return(cipher);
        }
    }

    /// <summary>A cipher keyed with this key, for one operation at a time.</summary>
    /// <exception cref="CryptographicException">The key is retired or destroyed.</exception>
    private AesGcm Rent()
    {
        if (idle.TryDequeue(out var cipher))
        {
            return cipher;
        }

        if (destroyed || Material is null)
        {
            throw new CryptographicException($"key-encryption key {Id} has no material");
        }

        return new AesGcm(Material, Envelope.AeadBox.TagLength);
    }

    private void Return(AesGcm cipher)
    {
        if (destroyed || idle.Count >= MaxIdleCiphers)
        {
            cipher.Dispose();
            return;
        }

        idle.Enqueue(cipher);
        if (destroyed)
        {
            // Destroyed meanwhile: its sweep may have run before this cipher came back.
            DisposeIdle();
        }
    }

    /// <summary>Zeroes the material and frees every idle cipher (each holds the expanded key); used when sealing.</summary>
    internal void Destroy()
    {
        destroyed = true;
        if (Material is { } material)
        {
            CryptographicOperations.ZeroMemory(material);
        }

        DisposeIdle();
    }

    /// <summary>Never prints key material.</summary>
    public override string ToString() => $"kek-{Id}";

    private void DisposeIdle()
    {
        while (idle.TryDequeue(out var cipher))
        {
            cipher.Dispose();
        }
    }
}
