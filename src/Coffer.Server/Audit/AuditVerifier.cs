using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coffer.Server.Audit;

/// <summary>
/// Checks audit log files offline: every link of the hash chain, every checkpoint's signature under the published key,
/// and that the log ends with the final checkpoint (or reaches an independently kept one), so an edited, removed,
/// reordered or truncated entry is reported with the first place it shows.
/// </summary>
public static class AuditVerifier
{
    /// <param name="files">The log's files, oldest first.</param>
    /// <param name="publicKeyPem">The checkpoint key's public half (<c>audit-signing-key.pub.pem</c>).</param>
    /// <param name="knownCheckpoint">A checkpoint kept apart from the files (from <c>GET /v1/audit/checkpoint</c>): the files must reach it.</param>
    /// <param name="open">The server is still writing: do not require the final checkpoint.</param>
    public static AuditVerification Verify(IReadOnlyList<string> files, string publicKeyPem, string? knownCheckpoint = null, bool open = false)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        var previous = AuditChain.Genesis;
        var heads = new Dictionary<long, string>();
        long seq = 0;
        long checkpoints = 0;
        var endedFinal = false;
        foreach (var file in files)
        {
            long lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (line.Length == 0)
                {
                    continue;
                }

                AuditVerification Bad(string problem) => new(false, seq, checkpoints, problem, file, lineNumber);
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(line);
                }
                catch (JsonException)
                {
                    return Bad("the line is not an audit entry (not JSON)");
                }

                using (document)
                {
                    if (!document.RootElement.TryGetProperty("entry", out var entryElement) || !document.RootElement.TryGetProperty("hash", out var hashElement)
                        || entryElement.ValueKind != JsonValueKind.Object || hashElement.ValueKind != JsonValueKind.String)
                    {
                        return Bad("the line is not an audit entry (no entry and hash)");
                    }

                    AuditEntry? entry;
                    try
                    {
                        entry = entryElement.Deserialize(AuditJsonContext.Default.AuditEntry);
                    }
                    catch (JsonException)
                    {
                        return Bad("the entry does not have the audit entry shape");
                    }

                    if (entry is null)
                    {
                        return Bad("the entry is empty");
                    }

                    if (entry.Seq != seq || entry.Prev != previous)
                    {
                        return Bad($"entry {entry.Seq} does not follow entry {seq - 1}: an entry before it was removed, reordered or inserted");
                    }

                    var computed = AuditChain.Hash(previous, Encoding.UTF8.GetBytes(entryElement.GetRawText()));
                    if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(hashElement.GetString()!)))
                    {
                        return Bad($"entry {entry.Seq} was changed after it was written: its hash does not match");
                    }

                    endedFinal = false;
                    if (entry.Kind == AuditEntry.CheckpointKind)
                    {
                        if (entry.Count != seq || entry.Head != previous || entry.Signature is null
                            || !key.VerifyData(AuditChain.CheckpointPayload(seq, previous), Convert.FromBase64String(entry.Signature), HashAlgorithmName.SHA256))
                        {
                            return Bad($"checkpoint {entry.Seq} is not signed by the audit key for the entries before it: the log was rewritten");
                        }

                        checkpoints++;
                        endedFinal = entry.Final == true;
                    }

                    heads[seq] = previous;
                    previous = computed;
                    seq++;
                }
            }
        }

        if (knownCheckpoint is not null)
        {
            var known = JsonSerializer.Deserialize(knownCheckpoint, AuditJsonContext.Default.AuditEntry);
            if (known?.Count is not { } count || known.Head is null || known.Signature is null
                || !key.VerifyData(AuditChain.CheckpointPayload(count, known.Head), Convert.FromBase64String(known.Signature), HashAlgorithmName.SHA256))
            {
                return new(false, seq, checkpoints, "the checkpoint given is not signed by the audit key");
            }

            if (count > seq || (heads.TryGetValue(count, out var head) ? head : previous) != known.Head)
            {
                return new(false, seq, checkpoints, $"the files hold {seq} entries, but the checkpoint given vouches for {count} ending in another hash: the tail was cut off or rewritten");
            }
        }

        if (!open && !endedFinal)
        {
            return new(false, seq, checkpoints, "the log does not end with the final checkpoint written at shutdown: its tail was cut off, or the server is still running (use --open) or died");
        }

        return new(true, seq, checkpoints, null);
    }
}
