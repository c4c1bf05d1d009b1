using System.Globalization;

namespace Coffer.Benchmarks;

/// <summary>
/// Medians per phase and concurrency, and the two ratios the issue sets targets for. The write target is judged on
/// throughput: the server's write rate at the highest concurrency against the best raw insert rate at any concurrency.
/// At one worker a closed loop measures round-trip latency, which the raw loop (no HTTP) does not pay; it is reported, not judged.
/// </summary>
internal sealed class BenchmarkReport(IReadOnlyList<BenchmarkPhase> phases, IReadOnlyList<int> concurrencies, IReadOnlyDictionary<(string Phase, int Concurrency), List<double>> samples)
{
    public const double ReadTarget = 0.6;
    public const double WriteTarget = 0.8;

    public bool AllTargetsMet => concurrencies.All(c => ReadRatio(c) >= ReadTarget) && WriteRateRatio >= WriteTarget;

    public int LoadConcurrency => concurrencies.Max();

    /// <summary>The server's durable write rate under load against the fastest raw single-row durable inserts of the run.</summary>
    public double WriteRateRatio => Median(BenchmarkRun.Write, LoadConcurrency) / concurrencies.Max(c => Median(BenchmarkRun.RawInsert, c));

    public double Median(string phase, int concurrency)
    {
        var sorted = samples[(phase, concurrency)].Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public double ReadRatio(int concurrency) => Median(BenchmarkRun.Read, concurrency) / Median(BenchmarkRun.Trivial, concurrency);

    /// <summary>What the audit log costs a read: the same read with the log on, against a server with it off.</summary>
    public double AuditRatio(int concurrency) => Median(BenchmarkRun.Read, concurrency) / Median(BenchmarkRun.ReadNoAudit, concurrency);

    public double WriteRatio(int concurrency) => Median(BenchmarkRun.Write, concurrency) / Median(BenchmarkRun.RawInsert, concurrency);

    public async Task WriteAsync(TextWriter output)
    {
        var header = string.Join(" | ", concurrencies.Select(c => $"c={c} median ops/s (min-max)"));
        await output.WriteLineAsync($"| phase | operation | {header} |").ConfigureAwait(false);
        await output.WriteLineAsync($"| --- | --- |{string.Concat(concurrencies.Select(_ => " ---: |"))}").ConfigureAwait(false);
        foreach (var phase in phases)
        {
            var cells = concurrencies.Select(c =>
            {
                var values = samples[(phase.Name, c)];
                return string.Create(CultureInfo.InvariantCulture, $"{Median(phase.Name, c):0} ({values.Min():0}-{values.Max():0})");
            });
            await output.WriteLineAsync($"| {phase.Name} | {phase.Description} | {string.Join(" | ", cells)} |").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| ratio | concurrency | value | target | result |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: | ---: | ---: | --- |").ConfigureAwait(false);
        foreach (var concurrency in concurrencies)
        {
            await output.WriteLineAsync(Verdict("read / trivial", concurrency, ReadRatio(concurrency), ReadTarget)).ConfigureAwait(false);
        }

        await output.WriteLineAsync(Verdict($"write at c={LoadConcurrency} / best raw-insert", LoadConcurrency, WriteRateRatio, WriteTarget)).ConfigureAwait(false);
        foreach (var concurrency in concurrencies)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"| read audit on / audit off (issue 4) | {concurrency} | {AuditRatio(concurrency):0.00} | (reported; 0.85) | {(AuditRatio(concurrency) >= 0.85 ? "at or above 0.85" : "below 0.85")} |")).ConfigureAwait(false);
        }

        foreach (var concurrency in concurrencies)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"| write / raw-insert, same concurrency | {concurrency} | {WriteRatio(concurrency):0.00} | (reported) | {(WriteRatio(concurrency) >= WriteTarget ? "at or above 0.8" : "below 0.8")} |")).ConfigureAwait(false);
        }
    }

    private static string Verdict(string name, int concurrency, double value, double target) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {concurrency} | {value:0.00} | >= {target:0.0} | {(value >= target ? "PASS" : "FAIL")} |");
}
