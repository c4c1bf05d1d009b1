using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coffer.Server.Audit;

/// <summary>The hash chain and checkpoint signature, shared by the writer and the offline verifier.</summary>
internal static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>SHA-256 over the previous hash and the entry's exact JSON text, so any edit to either breaks every later link.</summary>
    public static string Hash(string previous, ReadOnlySpan<byte> entryJson)
    {
        // One-shot hashing of a copy is cheaper than an incremental hash object per entry.
        var length = previous.Length + 1 + entryJson.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var input = rented.AsSpan(0, length);
            Encoding.ASCII.GetBytes(previous, input);
            input[previous.Length] = (byte)'\n';
            entryJson.CopyTo(input[(previous.Length + 1)..]);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(input, digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static byte[] CheckpointPayload(long count, string head) => Encoding.ASCII.GetBytes($"{count}\n{head}");

    /// <summary>
    /// Appends one JSON line, <c>{"entry":{...},"hash":"..."}</c>, to <paramref name="buffer"/> and returns the hash,
    /// which covers the entry bytes exactly as written. The writer is reused across calls to spare an allocation each.
    /// </summary>
    public static string Append(AuditEntry entry, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.Write("{\"entry\":"u8);
        var start = buffer.WrittenCount;
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, entry, AuditJsonContext.Default.AuditEntry);
        writer.Flush();
        var hash = Hash(entry.Prev, buffer.WrittenSpan[start..]);
        buffer.Write(",\"hash\":\""u8);
        var span = buffer.GetSpan(hash.Length);
        var written = Encoding.ASCII.GetBytes(hash, span);
        buffer.Advance(written);
        buffer.Write("\"}\n"u8);
        return hash;
    }
}
