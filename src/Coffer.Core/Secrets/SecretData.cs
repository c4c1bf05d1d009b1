using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Text.RegularExpressions;
using Coffer.Core.Errors;

namespace Coffer.Core.Secrets;

/// <summary>
/// A secret's key/value data. Keys follow Kubernetes' rule; the values total at most 1 MiB.
/// The binary encoding is what gets encrypted, so it carries no field names or framing text.
/// </summary>
public sealed partial class SecretData
{
    public const int MaxTotalBytes = 1024 * 1024;
    public const int MaxKeyLength = 253;

    private SecretData(SortedDictionary<string, byte[]> values) => Values = new ReadOnlyDictionary<string, byte[]>(values);

    public IReadOnlyDictionary<string, byte[]> Values { get; }

    public int TotalBytes => Values.Values.Sum(v => v.Length);

    /// <summary>Validates keys and size; the caller passes ownership of the arrays.</summary>
    public static SecretData Create(IEnumerable<KeyValuePair<string, byte[]>> entries, string field = "data")
    {
        var values = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (key, value) in entries)
        {
            var rule = CheckKey(key);
            if (rule is not null)
            {
                throw CofferException.Invalid("InvalidDataKey", $"data key {rule}", $"{field}[{key}]");
            }

            total += value.Length;
            if (total > MaxTotalBytes)
            {
                throw new CofferException(ErrorKind.TooLarge, "DataTooLarge", $"secret data must be at most {MaxTotalBytes} bytes in total", field);
            }

            values[key] = value;
        }

        return new SecretData(values);
    }

    /// <summary>Returns the rule a data key breaks, or null (Kubernetes' IsConfigMapKey).</summary>
    public static string? CheckKey(string key)
    {
        if (key.Length == 0)
        {
            return "must not be empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"must be no more than {MaxKeyLength} characters";
        }

        if (key is "." or "..")
        {
            return "must not be '.' or '..'";
        }

        return DataKey().IsMatch(key) ? null : "must consist of alphanumeric characters, '-', '_' or '.' (regex [-._a-zA-Z0-9]+)";
    }

    public byte[] Encode()
    {
        var size = 4 + Values.Sum(kv => 4 + System.Text.Encoding.UTF8.GetByteCount(kv.Key) + 4 + kv.Value.Length);
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, Values.Count);
        var at = 4;
        foreach (var (key, value) in Values)
        {
            var keyLength = System.Text.Encoding.UTF8.GetBytes(key, span[(at + 4)..]);
            BinaryPrimitives.WriteInt32BigEndian(span[at..], keyLength);
            at += 4 + keyLength;
            BinaryPrimitives.WriteInt32BigEndian(span[at..], value.Length);
            value.CopyTo(span[(at + 4)..]);
            at += 4 + value.Length;
        }

        return buffer;
    }

    public static SecretData Decode(ReadOnlySpan<byte> encoded)
    {
        var values = new List<KeyValuePair<string, byte[]>>();
        var count = ReadLength(ref encoded);
        for (var i = 0; i < count; i++)
        {
            var keyLength = ReadLength(ref encoded);
            var key = System.Text.Encoding.UTF8.GetString(Take(ref encoded, keyLength));
            var valueLength = ReadLength(ref encoded);
            values.Add(new(key, Take(ref encoded, valueLength).ToArray()));
        }

        if (!encoded.IsEmpty)
        {
            throw new FormatException("secret data has trailing bytes");
        }

        return Create(values);
    }

    private static int ReadLength(ref ReadOnlySpan<byte> span)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(Take(ref span, 4));
        return value < 0 ? throw new FormatException("secret data has a negative length") : value;
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> span, int count)
    {
        if (count > span.Length)
        {
            throw new FormatException("secret data is truncated");
        }

        var taken = span[..count];
        span = span[count..];
        return taken;
    }

    [GeneratedRegex("^[-._a-zA-Z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DataKey();
}
