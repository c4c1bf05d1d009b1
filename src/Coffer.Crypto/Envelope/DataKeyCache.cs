using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Coffer.Crypto.Envelope;

/// <summary>
/// Ciphers for the data keys of recently opened versions under one key-encryption key, so a version read again skips
/// unwrapping its data key and setting up a cipher. An entry is found only by the exact wrapped key and context that
/// unwrapped it, so a wrapped key moved to another record still has to unwrap, and fails. It holds nothing the
/// key-encryption key in the same memory could not recover, and goes with that key when the server seals.
/// </summary>
internal sealed class DataKeyCache : IDisposable
{
    /// <summary>Versions whose ciphers are kept; past it half are dropped.</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<byte[], CipherPool> pools = new(ByteArrayComparer.Instance);
    private readonly Lock gate = new();
    private bool disposed;

    /// <summary>Versions whose ciphers are kept now.</summary>
    public int Count => pools.Count;

    /// <summary>
    /// The ciphers for the data key that <paramref name="unwrap"/> recovers from <paramref name="wrappedKey"/> under
    /// <paramref name="context"/>; <paramref name="unwrap"/> runs (and authenticates) only when none are kept.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public CipherPool Get(byte[] wrappedKey, byte[] context, Func<byte[]> unwrap)
    {
        var key = Key(wrappedKey, context);
        if (pools.TryGetValue(key, out var pool))
        {
            return pool;
        }

        var dataKey = unwrap();
        try
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (pools.TryGetValue(key, out pool))
                {
                    return pool;
                }

                if (pools.Count >= Capacity)
                {
                    // A reader still holding a dropped pool gets ObjectDisposedException and unwraps afresh.
                    foreach (var stale in pools.Keys.Take(Capacity / 2).ToList())
                    {
                        if (pools.TryRemove(stale, out var dropped))
                        {
                            dropped.Dispose();
                        }
                    }
                }

                pool = new CipherPool(dataKey);
                pools[key] = pool;
                return pool;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            foreach (var pool in pools.Values)
            {
                pool.Dispose();
            }

            pools.Clear();
        }
    }

    /// <summary>The wrapped key's length, the wrapped key and the context: no two pairs share a key.</summary>
    private static byte[] Key(byte[] wrappedKey, byte[] context)
    {
        var key = new byte[4 + wrappedKey.Length + context.Length];
        BinaryPrimitives.WriteInt32BigEndian(key, wrappedKey.Length);
        wrappedKey.CopyTo(key, 4);
        context.CopyTo(key, 4 + wrappedKey.Length);
        return key;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static ByteArrayComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
