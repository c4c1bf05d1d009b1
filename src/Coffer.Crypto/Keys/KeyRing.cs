using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Crypto.Keys;

/// <summary>
/// The key-encryption keys, newest last. Immutable: rotation and retirement return a new ring
/// with the next generation number, which storage appends (never overwrites).
/// </summary>
public sealed class KeyRing
{
    private const byte FormatVersion = 1;

    private KeyRing(long generation, IReadOnlyList<KeyEncryptionKey> keys)
    {
        Generation = generation;
        Keys = keys;
        Current = keys.Last(k => !k.IsRetired);
    }

    public long Generation { get; }

    public IReadOnlyList<KeyEncryptionKey> Keys { get; }

    /// <summary>The key every new data key is wrapped with.</summary>
    public KeyEncryptionKey Current { get; }

    public static KeyRing CreateNew(DateTimeOffset now) =>
        new(1, [new KeyEncryptionKey(1, now, null, RandomNumberGenerator.GetBytes(KeyEncryptionKey.KeyLength))]);

    public KeyEncryptionKey? Find(int id)
    {
        foreach (var key in Keys)
        {
            if (key.Id == id)
            {
                return key;
            }
        }

        return null;
    }

    public KeyRing Rotate(DateTimeOffset now)
    {
        var next = new KeyEncryptionKey(Keys[^1].Id + 1, now, null, RandomNumberGenerator.GetBytes(KeyEncryptionKey.KeyLength));
        return new KeyRing(Generation + 1, [.. Keys, next]);
    }

    /// <summary>Drops a key's material; the current key cannot be retired.</summary>
    public KeyRing Retire(int id, DateTimeOffset now)
    {
        if (id == Current.Id)
        {
            throw new InvalidOperationException("the current key cannot be retired");
        }

        var keys = Keys.Select(k => k.Id == id && !k.IsRetired ? new KeyEncryptionKey(k.Id, k.CreatedAt, now, null) : k).ToList();
        return new KeyRing(Generation + 1, keys);
    }

    /// <summary>Zeroes every key's material; used when sealing.</summary>
    public void Destroy()
    {
        foreach (var key in Keys)
        {
            key.Destroy();
        }
    }

    internal byte[] Serialize()
    {
        const int entry = 4 + 8 + 8 + 1 + KeyEncryptionKey.KeyLength;
        var buffer = new byte[1 + 8 + 4 + (Keys.Count * entry)];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], Generation);
        BinaryPrimitives.WriteInt32BigEndian(span[9..], Keys.Count);
        var at = 13;
        foreach (var key in Keys)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[at..], key.Id);
            BinaryPrimitives.WriteInt64BigEndian(span[(at + 4)..], key.CreatedAt.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteInt64BigEndian(span[(at + 12)..], key.RetiredAt?.ToUnixTimeMilliseconds() ?? 0);
            span[at + 20] = key.IsRetired ? (byte)0 : (byte)1;
            key.Material?.CopyTo(span[(at + 21)..]);
            at += entry;
        }

        return buffer;
    }

    internal static KeyRing Deserialize(ReadOnlySpan<byte> data)
    {
        const int entry = 4 + 8 + 8 + 1 + KeyEncryptionKey.KeyLength;
        if (data.Length < 13 || data[0] != FormatVersion)
        {
            throw new CryptographicException("unknown key ring format");
        }

        var generation = BinaryPrimitives.ReadInt64BigEndian(data[1..]);
        var count = BinaryPrimitives.ReadInt32BigEndian(data[9..]);
        if (count < 1 || data.Length != 13 + ((long)count * entry))
        {
            throw new CryptographicException("key ring is truncated");
        }

        var keys = new List<KeyEncryptionKey>(count);
        for (var i = 0; i < count; i++)
        {
            var e = data.Slice(13 + (i * entry), entry);
            var retired = BinaryPrimitives.ReadInt64BigEndian(e[12..]);
            keys.Add(new KeyEncryptionKey(
                BinaryPrimitives.ReadInt32BigEndian(e),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(e[4..])),
                retired == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(retired),
                e[20] == 1 ? e.Slice(21, KeyEncryptionKey.KeyLength).ToArray() : null));
        }

        return new KeyRing(generation, keys);
    }
}
