using System.Collections.Concurrent;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Sources;

namespace Coffer.Scanning;

/// <summary>Scans files (on all cores), streams and diff lines; reads in chunks and never keeps more of a file than a manifest needs.</summary>
public sealed class Scanner(ScanOptions options)
{
    /// <exception cref="FileNotFoundException">A path names neither a file nor a folder.</exception>
    public async Task<ScanResult> ScanPathsAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        // Walked as the workers take files, so scanning starts with the first file rather than after the last.
        var targets = FileEnumerator.Enumerate(paths).Where(t => !options.RuleSet.Allowlist.AllowsPath(t.DisplayPath));
        var findings = new ConcurrentBag<Finding>();
        var scanned = 0;
        var skipped = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(targets, parallel, async (target, token) =>
        {
            var found = await ScanFileAsync(target, token).ConfigureAwait(false);
            if (found is null)
            {
                Interlocked.Increment(ref skipped);
                return;
            }

            Interlocked.Increment(ref scanned);
            foreach (var finding in found)
            {
                findings.Add(finding);
            }
        }).ConfigureAwait(false);
        return Finish(findings, scanned, skipped);
    }

    /// <summary>Scans a stream such as standard input, reported as <paramref name="displayPath"/>.</summary>
    public async Task<ScanResult> ScanStreamAsync(string displayPath, Stream stream, CancellationToken cancellationToken)
    {
        var findings = await TextScan.RunAsync(displayPath, stream, new LineDetector(options.RuleSet), keepManifest: true, skipBinary: false, cancellationToken).ConfigureAwait(false);
        return Finish(findings!, 1, 0);
    }

    /// <summary>Scans single lines with their own paths and numbers, such as the added lines of a diff.</summary>
    public ScanResult ScanLines(IEnumerable<SourceLine> lines)
    {
        var detector = new LineDetector(options.RuleSet);
        var findings = new List<Finding>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => !options.RuleSet.Allowlist.AllowsPath(l.Path)))
        {
            files.Add(line.Path);
            detector.Detect(line.Path, line.Number, line.Text, findings);
        }

        return Finish(findings, files.Count, 0);
    }

    /// <summary>Scans lines as they arrive, such as the added lines of a repository's history; findings carry each line's commit.</summary>
    public async Task<ScanResult> ScanLinesAsync(IAsyncEnumerable<SourceLine> lines, CancellationToken cancellationToken)
    {
        var detector = new LineDetector(options.RuleSet);
        var findings = new List<Finding>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (options.RuleSet.Allowlist.AllowsPath(line.Path))
            {
                continue;
            }

            files.Add(line.Path);
            var before = findings.Count;
            detector.Detect(line.Path, line.Number, line.Text, findings);
            for (var i = before; i < findings.Count; i++)
            {
                findings[i] = findings[i] with { Commit = line.Commit };
            }
        }

        return Finish(findings, files.Count, 0);
    }

    private async Task<List<Finding>?> ScanFileAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        if (target.Length > options.MaxFileBytes)
        {
            return null;
        }

        var file = new FileStream(File.OpenHandle(target.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), FileAccess.Read, bufferSize: 0);
        // A pipe (`coffer scan <(kubectl ...)`) is read to its end as a stream; so is a file that says it is empty (/proc).
        var stream = file.CanSeek ? new FileReadStream(file, target.Length == 0 ? long.MaxValue : target.Length) : (Stream)file;
        await using (stream.ConfigureAwait(false))
        {
            var manifest = Path.GetExtension(target.FullPath) is ".yaml" or ".yml" or ".json";
            return await TextScan.RunAsync(target.DisplayPath, stream, new LineDetector(options.RuleSet), manifest, skipBinary: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private ScanResult Finish(IEnumerable<Finding> findings, int scanned, int skipped)
    {
        var all = findings.ToList();
        var kept = all.Where(f => !options.Baseline.Contains(f.Fingerprint))
            .OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ThenBy(f => f.Commit?.Date)
            .ToList();
        return new ScanResult(kept, scanned, skipped, all.Count - kept.Count);
    }
}
