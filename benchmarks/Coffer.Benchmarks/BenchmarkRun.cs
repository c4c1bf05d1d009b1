using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Coffer.Benchmarks;

/// <summary>Starts the server and the raw SQLite file, then runs every phase at every concurrency, round after round.</summary>
internal static class BenchmarkRun
{
    public const string Trivial = "trivial";
    public const string Read = "read";
    public const string Write = "write";
    public const string RawInsert = "raw-insert";
    public const string ReadNoAudit = "read-noaudit";

    public static async Task<BenchmarkReport> RunAsync(BenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var environment = string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        await output.WriteLineAsync($"Coffer benchmark: {environment}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"warmup {settings.Warmup.TotalSeconds:0.##} s, window {settings.Window.TotalSeconds:0.##} s, {settings.Rounds} rounds, concurrency {string.Join(',', settings.Concurrencies)}, payload {settings.PayloadBytes} bytes")).ConfigureAwait(false);

        await using var target = await CofferTarget.StartAsync(settings.PayloadBytes, cancellationToken).ConfigureAwait(false);
        await using var raw = await RawSqliteInserts.OpenAsync(settings.PayloadBytes, cancellationToken).ConfigureAwait(false);
        await using var unaudited = await CofferTarget.StartAsync(settings.PayloadBytes, cancellationToken, audit: false).ConfigureAwait(false);
        await output.WriteLineAsync($"server {target.Address}").ConfigureAwait(false);
        if (settings.Breakdown)
        {
            await ReadPathBreakdown.WriteAsync(target, 5_000, output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await WritePathBreakdown.WriteAsync(target, raw, 1_000, output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        BenchmarkPhase[] phases =
        [
            new(Trivial, "GET /healthz", target.TrivialAsync),
            new(Read, $"GET /v1/namespaces/{CofferTarget.Namespace}/secrets/{CofferTarget.SecretName} (bearer token, {settings.PayloadBytes} B)", target.ReadAsync),
            new(Write, $"PUT /v1/namespaces/{CofferTarget.Namespace}/secrets/{CofferTarget.SecretName} ({settings.PayloadBytes} B, durable)", target.WriteAsync),
            new(RawInsert, $"raw SQLite INSERT of {settings.PayloadBytes} B, WAL, synchronous=FULL, one commit per row", raw.InsertAsync),
            new(ReadNoAudit, "the same read on a second server with the audit log off", unaudited.ReadAsync),
        ];

        var samples = new Dictionary<(string Phase, int Concurrency), List<double>>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            // Alternating the order spreads drift on a noisy machine over every phase alike.
            var order = round % 2 == 1 ? phases : phases.Reverse().ToArray();
            foreach (var concurrency in settings.Concurrencies)
            {
                foreach (var phase in order)
                {
                    var sample = await LoadWindow.MeasureAsync(concurrency, phase.Operation, settings.Warmup, settings.Window, cancellationToken).ConfigureAwait(false);
                    if (!samples.TryGetValue((phase.Name, concurrency), out var list))
                    {
                        samples[(phase.Name, concurrency)] = list = [];
                    }

                    list.Add(sample.PerSecond);
                    await output.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  round {round} c={concurrency,-3} {phase.Name,-10} {sample.PerSecond,10:0} ops/s ({sample.Operations} in {sample.Elapsed.TotalSeconds:0.00} s)")).ConfigureAwait(false);
                }
            }
        }

        var report = new BenchmarkReport(phases, settings.Concurrencies, samples);
        await output.WriteLineAsync().ConfigureAwait(false);
        await report.WriteAsync(output).ConfigureAwait(false);
        return report;
    }
}
