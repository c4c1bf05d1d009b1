using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Coffer.Storage.Snapshots;

/// <summary>Reads a snapshot line by line, keeping the SHA-256 of every line read so far for the closing checksum.</summary>
internal sealed class SnapshotReader(Stream input) : IDisposable
{
    /// <summary>A secret of 1 MiB is under 3 MiB once sealed and in base64; anything far longer is not a snapshot line.</summary>
    private const int MaxLine = 16 * 1024 * 1024;

    private readonly IncrementalHash file = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ArrayBufferWriter<byte> line = new(4096);
    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    /// <summary>The last line read, with its newline.</summary>
    public ReadOnlySpan<byte> LastLine => line.WrittenSpan;

    public byte[] HashSoFar() => file.GetCurrentHash();

    /// <summary>Adds the last line, read without hashing, to the hash after all.</summary>
    public void Count() => file.AppendData(line.WrittenSpan);

    /// <summary>The next line as JSON, or null at the end of the input.</summary>
    public async Task<JsonDocument?> NextAsync(CancellationToken cancellationToken, bool hash = true)
    {
        line.ResetWrittenCount();
        while (true)
        {
            if (start == end)
            {
                start = 0;
                end = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (end == 0)
                {
                    return line.WrittenCount == 0 ? null : throw new SnapshotException("the snapshot is truncated: its last line is cut off");
                }
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            var take = (newline < 0 ? end : newline + 1) - start;
            if (line.WrittenCount + take > MaxLine)
            {
                throw new SnapshotException("the snapshot is corrupted: a line is far longer than any snapshot line");
            }

            line.Write(buffer.AsSpan(start, take));
            start += take;
            if (newline >= 0)
            {
                break;
            }
        }

        if (hash)
        {
            file.AppendData(line.WrittenSpan);
        }

        try
        {
            return JsonDocument.Parse(line.WrittenSpan.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            throw new SnapshotException("the snapshot is corrupted: a line is not JSON");
        }
    }

    public void Dispose() => file.Dispose();
}
