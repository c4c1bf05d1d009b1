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
        var prefix = Encoding.ASCII.GetBytes(previous + "\n");
        var buffer = new byte[prefix.Length + entryJson.Length];
        prefix.CopyTo(buffer, 0);
        entryJson.CopyTo(buffer.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    public static byte[] CheckpointPayload(long count, string head) => Encoding.ASCII.GetBytes($"{count}\n{head}");

    /// <summary>One JSON line: <c>{"entry":{...},"hash":"..."}</c>, the hash covering the entry bytes exactly as written.</summary>
    public static (byte[] Line, string Hash) Serialize(AuditEntry entry)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(entry, AuditJsonContext.Default.AuditEntry);
        var hash = Hash(entry.Prev, json);
        var head = "{\"entry\":"u8;
        var tail = Encoding.ASCII.GetBytes($",\"hash\":\"{hash}\"}}\n");
        var line = new byte[head.Length + json.Length + tail.Length];
        head.CopyTo(line);
        json.CopyTo(line, head.Length);
        tail.CopyTo(line, head.Length + json.Length);
        return (line, hash);
    }
}
