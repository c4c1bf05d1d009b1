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
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> prefix = stackalloc byte[previous.Length + 1];
        Encoding.ASCII.GetBytes(previous, prefix);
        prefix[^1] = (byte)'\n';
        sha.AppendData(prefix);
        sha.AppendData(entryJson);
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    public static byte[] CheckpointPayload(long count, string head) => Encoding.ASCII.GetBytes($"{count}\n{head}");

    /// <summary>One JSON line: <c>{"entry":{...},"hash":"..."}</c>, the hash covering the entry bytes exactly as written.</summary>
    public static (byte[] Line, string Hash) Serialize(AuditEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        buffer.Write("{\"entry\":"u8);
        var start = buffer.WrittenCount;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, entry, AuditJsonContext.Default.AuditEntry);
        }

        var hash = Hash(entry.Prev, buffer.WrittenSpan[start..]);
        buffer.Write(Encoding.ASCII.GetBytes($",\"hash\":\"{hash}\"}}\n"));
        return (buffer.WrittenSpan.ToArray(), hash);
    }
}
