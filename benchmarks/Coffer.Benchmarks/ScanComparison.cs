using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>--scan</c>: <c>coffer scan</c> and <c>coffer-scan</c> (the same scan compiled ahead of time, published from this
/// checkout first) against secretlint (recommended preset, from benchmarks/secretlint) on the same generated corpus in
/// the same run: MB/s of each, their ratios, and the recall of each on the embedded secrets. All are timed as the
/// command a user runs, process start included; the two coffer commands take turns, run by run.
/// </summary>
internal static partial class ScanComparison
{
    public const double ThroughputTarget = 10;

    public const string Usage = "usage: Coffer.Benchmarks --scan [--scan-mb N (default 40)] [--coffer-runs N (default 3)] [--coffer-scan BINARY (default: publish one)] [--keep-corpus]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var megabytes = Option(args, "--scan-mb", 40);
        var cofferRuns = Option(args, "--coffer-runs", 3);
        var benchmarkFolder = AppContext.BaseDirectory;
        var root = FindRoot(benchmarkFolder);
        var secretlintFolder = Path.Combine(root, "benchmarks", "secretlint");
        var secretlint = Path.Combine(secretlintFolder, "node_modules", "secretlint", "bin", "secretlint.js");
        var coffer = Path.Combine(benchmarkFolder.Replace(Path.Combine("benchmarks", "Coffer.Benchmarks"), Path.Combine("src", "Coffer.Cli"), StringComparison.Ordinal), "coffer.dll");
        if (!File.Exists(secretlint) || !File.Exists(coffer))
        {
            await Console.Error.WriteLineAsync($"need {secretlint} (run `npm ci` in benchmarks/secretlint) and {coffer}").ConfigureAwait(false);
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("coffer-scan-bench-").FullName;
        try
        {
            var native = TextOption(args, "--coffer-scan") ?? await PublishNativeScannerAsync(root, folder, output, cancellationToken).ConfigureAwait(false);
            var corpus = await ScanCorpus.WriteAsync(Path.Combine(folder, "corpus"), megabytes, 400, cancellationToken).ConfigureAwait(false);
            var mb = corpus.Bytes / 1024.0 / 1024.0;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"corpus: {mb:F1} MiB in {Directory.GetFiles(corpus.Folder, "*", SearchOption.AllDirectories).Length} files, {corpus.Embedded.Count} embedded secrets; {Environment.ProcessorCount} cores")).ConfigureAwait(false);

            var report = Path.Combine(folder, "secretlint.txt");
            var (secretlintSeconds, _) = await TimeAsync("node", corpus.Folder,
                [secretlint, "--secretlintrc", Path.Combine(secretlintFolder, ".secretlintrc.json"), "--format", "unix", "--no-color", "--output", report, "**/*"],
                cancellationToken).ConfigureAwait(false);
            var secretlintLines = ParseSecretlint(await File.ReadAllLinesAsync(report, cancellationToken).ConfigureAwait(false), corpus.Folder);

            var cofferSeconds = new List<double>();
            var nativeSeconds = new List<double>();
            string? cofferJson = null;
            string? nativeJson = null;
            for (var run = 0; run < cofferRuns; run++)
            {
                (var seconds, cofferJson) = await TimeAsync("dotnet", corpus.Folder, [coffer, "scan", ".", "-o", "json"], cancellationToken).ConfigureAwait(false);
                cofferSeconds.Add(seconds);
                (seconds, nativeJson) = await TimeAsync(native, corpus.Folder, [".", "-o", "json"], cancellationToken).ConfigureAwait(false);
                nativeSeconds.Add(seconds);
            }

            if (nativeJson != cofferJson)
            {
                throw new InvalidOperationException("coffer-scan and coffer scan reported different findings");
            }

            var secretlintRate = mb / secretlintSeconds;
            var secretlintRecall = Recall(corpus, secretlintLines);
            var cofferRecall = Recall(corpus, ParseCoffer(cofferJson!));
            var cofferMedian = Median(cofferSeconds);
            var nativeMedian = Median(nativeSeconds);
            var ratio = mb / cofferMedian / secretlintRate;
            var nativeRatio = mb / nativeMedian / secretlintRate;
            var lines = new[]
            {
                "| tool | seconds | MB/s | recall on embedded secrets |",
                "| --- | ---: | ---: | ---: |",
                $"| secretlint 13.0.6 + preset-recommend 13.0.7 | {secretlintSeconds:F2} | {secretlintRate:F1} | {secretlintRecall:F3} |",
                $"| coffer scan (median of {cofferRuns}; runs {Runs(cofferSeconds)} s) | {cofferMedian:F2} | {mb / cofferMedian:F1} | {cofferRecall:F3} |",
                $"| coffer-scan (median of {cofferRuns}; runs {Runs(nativeSeconds)} s) | {nativeMedian:F2} | {mb / nativeMedian:F1} | {cofferRecall:F3} |",
                string.Empty,
                $"throughput ratio coffer-scan / secretlint: {nativeRatio:F1}x (target >= {ThroughputTarget}x); coffer scan / secretlint: {ratio:F1}x; recall coffer {cofferRecall:F3} vs secretlint {secretlintRecall:F3}",
            };
            foreach (var line in lines)
            {
                await output.WriteLineAsync(line.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }

            return nativeRatio >= ThroughputTarget && cofferRecall >= secretlintRecall ? 0 : 1;
        }
        finally
        {
            if (args.Contains("--keep-corpus"))
            {
                await output.WriteLineAsync($"corpus kept in {folder}").ConfigureAwait(false);
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static double Median(List<double> seconds) => seconds.Order().ElementAt(seconds.Count / 2);

    private static string Runs(List<double> seconds) => string.Join(", ", seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>Publishes coffer-scan from this checkout with its own build outputs (about a minute), as a user would.</summary>
    private static async Task<string> PublishNativeScannerAsync(string root, string folder, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("publishing coffer-scan (-p:CofferScan=true)...").ConfigureAwait(false);
        var published = Path.Combine(folder, "coffer-scan");
        var (_, log) = await TimeAsync("dotnet", root,
            ["publish", Path.Combine(root, "src", "Coffer.Cli"), "-c", "Release", "-p:CofferScan=true", "--artifacts-path", Path.Combine(folder, "artifacts"), "-o", published],
            cancellationToken).ConfigureAwait(false);
        var binary = Path.Combine(published, "coffer-scan");
        return File.Exists(binary) ? binary : throw new InvalidOperationException($"publishing coffer-scan failed:\n{log}");
    }

    private static double Recall(ScanCorpus corpus, HashSet<(string, int)> found) =>
        (double)corpus.Embedded.Count(e => found.Contains((e.Path, e.Line))) / corpus.Embedded.Count;

    private static HashSet<(string, int)> ParseSecretlint(IEnumerable<string> lines, string corpusFolder)
    {
        var found = new HashSet<(string, int)>();
        foreach (var line in lines)
        {
            if (UnixFormat().Match(line) is { Success: true } match)
            {
                var path = Path.GetRelativePath(corpusFolder, match.Groups[1].Value).Replace('\\', '/');
                found.Add((path, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
        }

        return found;
    }

    private static HashSet<(string, int)> ParseCoffer(string json)
    {
        var found = new HashSet<(string, int)>();
        using var document = JsonDocument.Parse(json);
        foreach (var finding in document.RootElement.EnumerateArray())
        {
            var path = finding.GetProperty("path").GetString()!;
            found.Add((path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path, finding.GetProperty("line").GetInt32()));
        }

        return found;
    }

    /// <summary>Runs a command to its end; exit codes 0 and 1 (findings) are both normal for scanners.</summary>
    private static async Task<(double Seconds, string Output)> TimeAsync(string fileName, string workingDirectory, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} could not be started");
        var outputTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errorTask = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        stopwatch.Stop();
        var output = await outputTask.ConfigureAwait(false);
        var error = await errorTask.ConfigureAwait(false);
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"{fileName} exited {process.ExitCode}: {error.Trim()}");
        }

        return (stopwatch.Elapsed.TotalSeconds, output);
    }

    private static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coffer.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Coffer.slnx above {start}");
    }

    private static string? TextOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? Path.GetFullPath(args[index + 1]) : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }

    [GeneratedRegex(@"^(.+?):(\d+):(\d+): ")]
    private static partial Regex UnixFormat();
}
