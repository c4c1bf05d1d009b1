using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Coffer.Scanning.Kubernetes;

namespace Coffer.Scanning.Detection;

/// <summary>
/// Scans one file or stream in chunks that end at a line break: the rule set's keyword automaton walks the chunk's
/// UTF-8 bytes from one keyword to the next (or, for wide encodings and rule sets it cannot serve, a vectorised search
/// over the decoded chunk), so only lines holding a keyword are decoded and meet a regex; every other line costs
/// nothing but the search passing over it. Manifests are also kept whole, up to a bound, for the YAML pass.
/// </summary>
internal sealed class TextScan
{
    /// <summary>Bytes read at a time; a file larger than this is scanned in pieces, never held whole (unless a manifest).</summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>Manifests larger than this are still line-scanned, but not parsed as YAML.</summary>
    public const int MaxManifestChars = 4 * 1024 * 1024;

    /// <summary>A line longer than this (only possible on standard input; files are bounded by the size limit) is scanned in pieces.</summary>
    private const int MaxLineBytes = 64 * 1024 * 1024;

    /// <summary>Git's test for binary content: a NUL byte in the first 8000 bytes.</summary>
    private const int BinaryProbeBytes = 8000;

    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string path;
    private readonly LineDetector detector;
    private readonly List<Finding> findings = [];
    private readonly PrivateKeyCollector privateKey;
    private readonly KeywordAutomaton? automaton;
    private StringBuilder? manifest;

    /// <summary>One line decoded at a time by the byte-level scan (cleared when the scan ends: it held file contents).</summary>
    private char[] lineChars = [];
    private int lineCharsUsed;
    private int nextLine = 1;

    // Where the automaton found a chunk's keyword lines, reused from chunk to chunk.
    private readonly List<(int End, int State)> hits = [];
    private readonly List<(int End, int State)> secondHalfHits = [];

    private TextScan(string path, LineDetector detector, bool keepManifest)
    {
        this.path = path;
        this.detector = detector;
        automaton = detector.RuleSet.Automaton;
        privateKey = new PrivateKeyCollector(findings);
        manifest = keepManifest ? new StringBuilder() : null;
    }

    /// <summary>The findings of <paramref name="stream"/>; null when <paramref name="skipBinary"/> and it looks binary.</summary>
    public static async Task<List<Finding>?> RunAsync(string path, Stream stream, LineDetector detector, bool keepManifest, bool skipBinary, CancellationToken cancellationToken)
    {
        var scan = new TextScan(path, detector, keepManifest);
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var chars = Array.Empty<char>();
        var usedBytes = 0;
        var usedChars = 0;
        try
        {
            var decoder = LenientUtf8.GetDecoder();
            var held = 0;
            var start = -1;
            while (true)
            {
                var read = await stream.ReadAtLeastAsync(bytes.AsMemory(held), bytes.Length - held, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                var available = held + read;
                usedBytes = Math.Max(usedBytes, available);
                if (start < 0)
                {
                    if (skipBinary && bytes.AsSpan(0, Math.Min(available, BinaryProbeBytes)).Contains((byte)0))
                    {
                        return null;
                    }

                    if (!skipBinary && WideEncoding(bytes.AsSpan(0, available)) is var (wide, preamble))
                    {
                        return await scan.ScanWideAsync(stream, bytes.AsMemory(0, available), wide, preamble, cancellationToken).ConfigureAwait(false);
                    }

                    start = bytes.AsSpan(0, available).StartsWith("\uFEFF"u8) ? 3 : 0;
                }

                var ended = available < bytes.Length;
                // A chunk ends after its last line break, so no line is cut.
                var cut = ended ? available : bytes.AsSpan(start, available - start).LastIndexOf((byte)'\n') + start + 1;
                if (cut <= start && !ended)
                {
                    if (bytes.Length < MaxLineBytes)
                    {
                        // One line longer than the chunk: read on until it ends (up to a bound) before scanning it.
                        var larger = ArrayPool<byte>.Shared.Rent(bytes.Length * 2);
                        bytes.AsSpan(0, available).CopyTo(larger);
                        ReturnBytes(bytes, usedBytes);
                        bytes = larger;
                        held = available;
                        continue;
                    }

                    cut = available;
                }

                if (scan.automaton is not null)
                {
                    // Chunks end after a line break, so each one decodes on its own (for a manifest's YAML pass only).
                    scan.ScanBytes(bytes.AsSpan(start, cut - start));
                }
                else
                {
                    if (chars.Length < LenientUtf8.GetMaxCharCount(cut - start))
                    {
                        ReturnChars(chars, usedChars);
                        usedChars = 0;
                        chars = ArrayPool<char>.Shared.Rent(LenientUtf8.GetMaxCharCount(cut - start));
                    }

                    var count = decoder.GetChars(bytes, start, cut - start, chars, 0, flush: ended);
                    usedChars = Math.Max(usedChars, count);
                    scan.Scan(chars.AsSpan(0, count));
                }
                held = available - cut;
                bytes.AsSpan(cut, held).CopyTo(bytes);
                start = 0;
                if (ended)
                {
                    break;
                }
            }

            return scan.Finish();
        }
        finally
        {
            ReturnChars(chars, usedChars);
            ReturnBytes(bytes, usedBytes);
            ReturnChars(scan.lineChars, scan.lineCharsUsed);
        }
    }

    // Cleared as far as used: the pool hands arrays to other code, and these held file contents, secrets among them.
    private static void ReturnChars(char[] chars, int used)
    {
        if (chars.Length > 0)
        {
            chars.AsSpan(0, used).Clear();
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static void ReturnBytes(byte[] bytes, int used)
    {
        bytes.AsSpan(0, Math.Min(used, bytes.Length)).Clear();
        ArrayPool<byte>.Shared.Return(bytes);
    }

    /// <summary>UTF-16 or UTF-32 by its byte-order mark (only standard input gets here: files holding NULs are binary).</summary>
    private static (Encoding Encoding, int Preamble)? WideEncoding(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]) ? (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4)
        : head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]) ? (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2)
        : null;

    /// <summary>Reads the rest of a UTF-16 or UTF-32 stream (bounded) and scans it as one text.</summary>
    /// <exception cref="IOException">The stream is larger than the bound.</exception>
    private async Task<List<Finding>> ScanWideAsync(Stream stream, ReadOnlyMemory<byte> head, Encoding encoding, int preamble, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        all.Write(head.Span);
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (all.Length + read > MaxLineBytes)
            {
                throw new IOException($"{path}: UTF-16 or UTF-32 input larger than {MaxLineBytes / (1024 * 1024)} MiB; convert it to UTF-8 to scan it");
            }

            all.Write(buffer, 0, read);
        }

        Scan(encoding.GetString(all.GetBuffer(), preamble, (int)all.Length - preamble));
        CryptographicOperations.ZeroMemory(all.GetBuffer());
        return Finish();
    }

    /// <summary>
    /// The byte-level scan of UTF-8 text: the automaton walks the bytes to the first keyword, then through the rest of
    /// its line marking every rule a keyword selects, and only that line is decoded and handed to the detector.
    /// </summary>
    private void ScanBytes(ReadOnlySpan<byte> text)
    {
        if (manifest is not null)
        {
            manifest = AppendDecoded(manifest, text);
        }

        var line = nextLine;
        var counted = 0;
        var selected = detector.Selected;
        var position = ConsumeKeyBlock(text, 0, ref line, ref counted);
        var searched = position;
        hits.Clear();
        automaton!.FindLines(text[searched..], hits, secondHalfHits);
        foreach (var (end, state) in hits)
        {
            var hit = searched + end;
            if (hit < position)
            {
                // In a private key's block, consumed with the line that opened it.
                continue;
            }

            var lineStart = text[..hit].LastIndexOf((byte)'\n') + 1;
            line += text[counted..lineStart].Count((byte)'\n');
            counted = lineStart;
            var lineEnd = text[hit..].IndexOf((byte)'\n');
            lineEnd = lineEnd < 0 ? text.Length : hit + lineEnd;
            selected.Clear();
            automaton.MarkLine(state, text[(hit + 1)..lineEnd], selected);
            var content = text[lineStart..lineEnd];
            var before = findings.Count;
            detector.DetectSelected(path, line, Decode(content.EndsWith((byte)'\r') ? content[..^1] : content), findings);
            privateKey.Begin(before);
            position = ConsumeKeyBlock(text, Math.Min(lineEnd + 1, text.Length), ref line, ref counted);
        }

        nextLine = line + text[counted..].Count((byte)'\n');
    }

    /// <summary>The manifest with <paramref name="text"/> decoded onto its end; null once it would pass <see cref="MaxManifestChars"/>.</summary>
    private static StringBuilder? AppendDecoded(StringBuilder builder, ReadOnlySpan<byte> text)
    {
        var chars = ArrayPool<char>.Shared.Rent(LenientUtf8.GetMaxCharCount(text.Length));
        var count = LenientUtf8.GetChars(text, chars);
        var kept = builder.Length + count > MaxManifestChars ? null : builder.Append(chars, 0, count);
        ReturnChars(chars, count);
        return kept;
    }

    /// <summary>One line as characters, in a buffer reused from line to line.</summary>
    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> content)
    {
        var needed = LenientUtf8.GetMaxCharCount(content.Length);
        if (lineChars.Length < needed)
        {
            ReturnChars(lineChars, lineCharsUsed);
            lineChars = ArrayPool<char>.Shared.Rent(Math.Max(needed, 256));
            lineCharsUsed = 0;
        }

        var count = LenientUtf8.GetChars(content, lineChars);
        lineCharsUsed = Math.Max(lineCharsUsed, count);
        return lineChars.AsSpan(0, count);
    }

    /// <summary>While a private key's block is open, its lines go to the collector (they hold nothing else to scan).</summary>
    private int ConsumeKeyBlock(ReadOnlySpan<byte> text, int position, ref int line, ref int counted)
    {
        if (!privateKey.IsOpen)
        {
            return position;
        }

        line += text[counted..position].Count((byte)'\n');
        counted = position;
        while (privateKey.IsOpen && position < text.Length)
        {
            var end = text[position..].IndexOf((byte)'\n');
            end = end < 0 ? text.Length : position + end;
            privateKey.Add(LenientUtf8.GetString(text[position..end]));
            position = Math.Min(end + 1, text.Length);
            if (end < text.Length)
            {
                line++;
                counted = position;
            }
        }

        return position;
    }

    private void Scan(ReadOnlySpan<char> text)
    {
        var keywords = detector.RuleSet.AnyKeyword;
        if (manifest is not null)
        {
            manifest = manifest.Length + text.Length > MaxManifestChars ? null : manifest.Append(text);
        }

        var line = nextLine;
        var counted = 0;
        var position = ConsumeKeyBlock(text, 0, ref line, ref counted);
        while (position < text.Length)
        {
            var hit = position;
            if (keywords is not null)
            {
                var found = text[position..].IndexOfAny(keywords);
                if (found < 0)
                {
                    break;
                }

                hit = position + found;
            }

            var lineStart = text[..hit].LastIndexOf('\n') + 1;
            line += text[counted..lineStart].Count('\n');
            counted = lineStart;
            var lineEnd = text[hit..].IndexOf('\n');
            lineEnd = lineEnd < 0 ? text.Length : hit + lineEnd;
            var content = text[lineStart..lineEnd];
            var before = findings.Count;
            detector.Detect(path, line, content.EndsWith('\r') ? content[..^1] : content, hit - lineStart, findings);
            privateKey.Begin(before);
            position = ConsumeKeyBlock(text, Math.Min(lineEnd + 1, text.Length), ref line, ref counted);
        }

        nextLine = line + text[counted..].Count('\n');
    }

    /// <summary>While a private key's block is open, its lines go to the collector (they hold nothing else to scan).</summary>
    private int ConsumeKeyBlock(ReadOnlySpan<char> text, int position, ref int line, ref int counted)
    {
        if (!privateKey.IsOpen)
        {
            return position;
        }

        line += text[counted..position].Count('\n');
        counted = position;
        while (privateKey.IsOpen && position < text.Length)
        {
            var end = text[position..].IndexOf('\n');
            end = end < 0 ? text.Length : position + end;
            privateKey.Add(text[position..end].ToString());
            position = Math.Min(end + 1, text.Length);
            if (end < text.Length)
            {
                line++;
                counted = position;
            }
        }

        return position;
    }

    private List<Finding> Finish()
    {
        if (manifest is not null)
        {
            var text = manifest.ToString();
            if (ManifestScanner.IsInteresting(text))
            {
                var allowed = AllowedLines(text);
                ManifestScanner.Scan(path, text, detector, findings);
                findings.RemoveAll(f => allowed.Contains(f.Line));
            }
        }

        return findings;
    }

    private static HashSet<int> AllowedLines(string text)
    {
        var allowed = new HashSet<int>();
        var span = text.AsSpan();
        var line = 1;
        var counted = 0;
        for (var at = span.IndexOfAny(LineDetector.AllowMarkerSearch); at >= 0;)
        {
            line += span[counted..at].Count('\n');
            counted = at;
            allowed.Add(line);
            var next = span[(at + 1)..].IndexOfAny(LineDetector.AllowMarkerSearch);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return allowed;
    }
}
