using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Coffer.Crypto.Keys;
using Coffer.Kubernetes.Kms;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using V2;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>--kms</c>: the KMS v2 plugin (key ring held in-process) over a real unix socket, driven by the generated gRPC
/// client as kube-apiserver drives it: Status (the trivial call, for the ratio), Encrypt and Decrypt of a 32-byte
/// data key, closed loop at each concurrency; ops/s and latency percentiles per phase, median over rounds.
/// </summary>
internal static class KmsBenchmark
{
    public const double TargetOpsPerSecond = 20_000;
    public const double TargetP99Milliseconds = 1.0;

    public static async Task<bool> RunAsync(BenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-kms-bench-").FullName;
        var ring = KeyRing.CreateNew(TimeProvider.System.GetUtcNow());
        try
        {
            await using var plugin = await KmsPlugin.StartAsync($"unix://{folder}/kms.sock", new KeyRingKmsBackend(() => ring), LogLevel.Warning, cancellationToken).ConfigureAwait(false);
            using var channel = Channel(plugin.SocketPath);
            var client = new KeyManagementService.KeyManagementServiceClient(channel);
            var dek = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32));
            var sample = await client.EncryptAsync(new EncryptRequest { Plaintext = dek, Uid = "bench" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var check = await client.DecryptAsync(new DecryptRequest { Ciphertext = sample.Ciphertext, KeyId = sample.KeyId, Uid = "bench" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!check.Plaintext.Equals(dek))
            {
                throw new InvalidOperationException("the plugin did not round-trip the data key");
            }

            var phases = new (string Name, Func<Task> Call)[]
            {
                ("status", async () => await client.StatusAsync(new StatusRequest(), cancellationToken: cancellationToken).ConfigureAwait(false)),
                ("encrypt", async () => await client.EncryptAsync(new EncryptRequest { Plaintext = dek, Uid = "bench" }, cancellationToken: cancellationToken).ConfigureAwait(false)),
                ("decrypt", async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = sample.Ciphertext, KeyId = sample.KeyId, Uid = "bench" }, cancellationToken: cancellationToken).ConfigureAwait(false)),
            };
            var results = new Dictionary<(string, int), List<(double Rate, double P50, double P99)>>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                foreach (var concurrency in settings.Concurrencies)
                {
                    foreach (var (name, call) in round % 2 == 0 ? phases : phases.Reverse())
                    {
                        var measured = await MeasureAsync(call, concurrency, settings, cancellationToken).ConfigureAwait(false);
                        if (!results.TryGetValue((name, concurrency), out var list))
                        {
                            results[(name, concurrency)] = list = [];
                        }

                        list.Add(measured);
                    }
                }
            }

            return await ReportAsync(output, settings, results).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Rate, double P50, double P99)> MeasureAsync(Func<Task> call, int concurrency, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var windowStart = settings.Warmup;
        var windowEnd = settings.Warmup + settings.Window;
        var latencies = new List<double>[concurrency];
        var workers = Enumerable.Range(0, concurrency).Select(i => Task.Run(
            async () =>
            {
                var own = latencies[i] = new List<double>(100_000);
                while (clock.Elapsed < windowEnd && !cancellationToken.IsCancellationRequested)
                {
                    var started = clock.Elapsed;
                    await call().ConfigureAwait(false);
                    if (started >= windowStart && clock.Elapsed <= windowEnd)
                    {
                        own.Add((clock.Elapsed - started).TotalMilliseconds);
                    }
                }
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length / settings.Window.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<bool> ReportAsync(TextWriter output, BenchmarkSettings settings, Dictionary<(string, int), List<(double Rate, double P50, double P99)>> results)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        var c = CultureInfo.InvariantCulture;
        await output.WriteLineAsync($"KMS v2 plugin over a unix socket: {settings.Rounds} rounds, {settings.Warmup.TotalSeconds.ToString(c)} s warmup, {settings.Window.TotalSeconds.ToString(c)} s window; medians over rounds (min-max)").ConfigureAwait(false);
        await output.WriteLineAsync("| phase | concurrency | ops/s | p50 ms | p99 ms |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: | ---: | ---: | ---: |").ConfigureAwait(false);
        foreach (var ((name, concurrency), list) in results.OrderBy(r => r.Key.Item2).ThenBy(r => r.Key.Item1, StringComparer.Ordinal))
        {
            await output.WriteLineAsync(string.Create(c, $"| {name} | {concurrency} | {Median(list.Select(r => r.Rate)):F0} ({list.Min(r => r.Rate):F0}-{list.Max(r => r.Rate):F0}) | {Median(list.Select(r => r.P50)):F3} | {Median(list.Select(r => r.P99)):F3} ({list.Min(r => r.P99):F3}-{list.Max(r => r.P99):F3}) |")).ConfigureAwait(false);
        }

        var allMet = true;
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| check | concurrency | value | target | result |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: | ---: | ---: | --- |").ConfigureAwait(false);
        foreach (var concurrency in settings.Concurrencies)
        {
            var status = Median(results[("status", concurrency)].Select(r => r.Rate));
            foreach (var name in new[] { "encrypt", "decrypt" })
            {
                var list = results[(name, concurrency)];
                var rate = Median(list.Select(r => r.Rate));
                var p99 = Median(list.Select(r => r.P99));
                var best = concurrency == settings.Concurrencies.Max();
                var rateMet = rate >= TargetOpsPerSecond;
                var p99Met = p99 < TargetP99Milliseconds;
                if (best)
                {
                    allMet &= rateMet;
                }

                if (concurrency == settings.Concurrencies.Min())
                {
                    allMet &= p99Met;
                }

                await output.WriteLineAsync(string.Create(c, $"| {name} ops/s | {concurrency} | {rate:F0} | >= {TargetOpsPerSecond:F0}{(best ? string.Empty : " (judged at the highest concurrency)")} | {(rateMet ? "PASS" : "below")} |")).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(c, $"| {name} p99 ms | {concurrency} | {p99:F3} | < {TargetP99Milliseconds:F1}{(concurrency == settings.Concurrencies.Min() ? string.Empty : " (judged at the lowest concurrency)")} | {(p99Met ? "PASS" : "above")} |")).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(c, $"| {name} / status ops/s | {concurrency} | {rate / status:F2} | (reported) | |")).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(allMet ? "All KMS targets met." : "Some KMS targets not met.").ConfigureAwait(false);
        return allMet;
    }

    private static GrpcChannel Channel(string socketPath) => GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        },
    });
}
