using System.Security.Cryptography;
using System.Text;

namespace Coffer.Kubernetes.Operator;

/// <summary>
/// A keyed hash (HMAC-SHA256) of a Secret's data, written into statuses and pod-template annotations. Keyed, so a reader
/// of a Deployment cannot test guesses of a weak password against it; the same data always gives the same hash.
/// </summary>
internal sealed class SecretDataHash(byte[] key)
{
    public static SecretDataHash Unkeyed { get; } = new(new byte[32]);

    public string Compute(IReadOnlyDictionary<string, byte[]>? data)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in (data ?? new Dictionary<string, byte[]>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // Lengths before contents, so {"ab":"c"} and {"a":"bc"} never collide.
            var nameBytes = Encoding.UTF8.GetBytes(name);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, nameBytes.Length);
            hmac.AppendData(length);
            hmac.AppendData(nameBytes);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
            hmac.AppendData(length);
            hmac.AppendData(value);
        }

        return "sha256:" + Convert.ToHexStringLower(hmac.GetHashAndReset()[..16]);
    }

    /// <summary>One hash for several Secrets, in name order: what a workload that uses them all was started with.</summary>
    public string Combine(IEnumerable<(string Name, string Hash)> parts)
    {
        var text = string.Join('\n', parts.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Hash}"));
        return Compute(new Dictionary<string, byte[]> { ["secrets"] = Encoding.UTF8.GetBytes(text) });
    }
}
