using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Tests.FakeApi;
using Coffer.Server;
using Coffer.Server.Tests.Auth.Jwt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>sync-latency</c> mode: a write to Coffer until the native Secret in the (in-process, fake) Kubernetes API holds
/// it, through the real operator, watch stream and KubernetesClient; reported as a distribution, next to the bare
/// write's own round trip measured in the same run.
/// </summary>
internal static class SyncLatency
{
    public const string Usage = "usage: Coffer.Benchmarks sync-latency [--samples N] [--gap-ms MS]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var samples = 300;
        var gap = TimeSpan.FromMilliseconds(20);
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--samples" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 10:
                    samples = n;
                    i++;
                    break;
                case "--gap-ms" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var g):
                    gap = TimeSpan.FromMilliseconds(g);
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }

        var folder = Directory.CreateTempSubdirectory("coffer-sync-bench-").FullName;
        using var issuer = new TestIssuer();
        var jwks = Path.Combine(folder, "jwks.json");
        await File.WriteAllTextAsync(jwks, issuer.JwksJson, cancellationToken).ConfigureAwait(false);
        var serverOutput = new StringWriter();
        var coffer = await CofferServer.StartAsync(
            new CofferServerOptions
            {
                Dev = true,
                Listen = "127.0.0.1:0",
                DataDirectory = Path.Combine(folder, "data"),
                LogLevel = LogLevel.Warning,
                KubernetesAuth = new IdentityProviderOptions { Issuer = "https://kubernetes.default.svc", JwksPath = jwks, Audiences = ["coffer"] },
            },
            serverOutput,
            cancellationToken).ConfigureAwait(false);
        var rootToken = serverOutput.ToString().Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal))["Root token: ".Length..].Trim();
        using var root = new HttpClient { BaseAddress = coffer.Address };
        root.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rootToken);
        await SendAsync(root, HttpMethod.Post, "/v1/namespaces", """{"name":"bench"}""", "application/json", cancellationToken).ConfigureAwait(false);
        await SendAsync(
            root,
            HttpMethod.Post,
            "/v1/access/apply",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {namespace: bench, name: operator-read}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  verbs: [\"get\", \"watch\"]\n",
            "application/yaml",
            cancellationToken).ConfigureAwait(false);
        await SendAsync(
            root,
            HttpMethod.Put,
            "/v1/auth/kubernetes/roles/bench",
            """{"boundServiceAccountNames":["coffer-operator"],"boundNamespaces":["coffer-system"],"ttl":"1h","roles":[{"namespace":"bench","name":"operator-read"}]}""",
            "application/json",
            cancellationToken).ConfigureAwait(false);

        await using var api = await FakeKubernetesApi.StartAsync().ConfigureAwait(false);
        using var operatorHttp = new HttpClient { BaseAddress = coffer.Address };
        var connection = new CofferConnection(operatorHttp, _ => Task.FromResult(Jwt(issuer)), TimeProvider.System);
        await using var controller = new CofferSecretController(
            api.CreateClient(),
            connection,
            new ControllerOptions(TimeSpan.FromHours(1), ControllerOptions.DefaultReloadDebounce, new byte[32]),
            TimeProvider.System,
            NullLogger.Instance);

        // The value each sample waits for, and the moment the fake API stored it.
        TaskCompletionSource<long>? arrival = null;
        string? awaited = null;
        api.Published += change =>
        {
            if (change.Key is { Resource: "secrets", Name: "db" } && change.Object["data"]?["v"]?.GetValue<string>() == awaited)
            {
                arrival?.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        await WriteAsync(root, "warm", cancellationToken).ConfigureAwait(false);
        controller.Start();
        api.Put(FakeKubernetesApi.CofferGroup, "coffersecrets", "bench", JsonNode.Parse("""{"metadata":{"name":"db"},"spec":{"source":{"name":"db"}}}""")!.AsObject());

        var sync = new List<double>(samples);
        var write = new List<double>(samples);
        for (var i = -20; i < samples; i++)
        {
            var value = $"value-{i}";
            awaited = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
            arrival = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await WriteAsync(root, value, cancellationToken).ConfigureAwait(false);
            var written = Stopwatch.GetTimestamp();
            var arrived = await arrival.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (i >= 0)
            {
                // The first 20 are warm-up: JIT, connection pools, the first login.
                sync.Add(Stopwatch.GetElapsedTime(start, arrived).TotalMilliseconds);
                write.Add(Stopwatch.GetElapsedTime(start, written).TotalMilliseconds);
            }

            await Task.Delay(gap, cancellationToken).ConfigureAwait(false);
        }

        sync.Sort();
        write.Sort();
        await output.WriteLineAsync($"Sync latency: Coffer write -> native Secret in the fake Kubernetes API ({samples} samples, {gap.TotalMilliseconds:0} ms apart)").ConfigureAwait(false);
        await output.WriteLineAsync("                       p50       p90       p99       max").ConfigureAwait(false);
        await output.WriteLineAsync(Row("write -> Secret", sync)).ConfigureAwait(false);
        await output.WriteLineAsync(Row("write alone", write)).ConfigureAwait(false);
        var p99 = Percentile(sync, 0.99);
        await output.WriteLineAsync($"target p99 < 1000 ms: {(p99 < 1000 ? "met" : "NOT met")} ({p99.ToString("0.0", CultureInfo.InvariantCulture)} ms)").ConfigureAwait(false);
        await controller.DisposeAsync().ConfigureAwait(false);
        await coffer.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return p99 < 1000 ? 0 : 1;
    }

    private static string Row(string name, List<double> sorted) => string.Create(
        CultureInfo.InvariantCulture,
        $"{name,-18}{Percentile(sorted, 0.50),7:0.0} ms{Percentile(sorted, 0.90),7:0.0} ms{Percentile(sorted, 0.99),7:0.0} ms{sorted[^1],7:0.0} ms");

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static Task WriteAsync(HttpClient root, string value, CancellationToken cancellationToken) =>
        SendAsync(root, HttpMethod.Put, "/v1/namespaces/bench/secrets/db", new JsonObject { ["stringData"] = new JsonObject { ["v"] = value } }.ToJsonString(), "application/json", cancellationToken);

    private static async Task SendAsync(HttpClient client, HttpMethod method, string path, string body, string contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }
    }

    private static string Jwt(TestIssuer issuer)
    {
        var now = TimeProvider.System.GetUtcNow();
        return TestIssuer.Sign(
            new JsonObject
            {
                ["iss"] = "https://kubernetes.default.svc",
                ["aud"] = new JsonArray("coffer"),
                ["sub"] = "system:serviceaccount:coffer-system:coffer-operator",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
                ["kubernetes.io"] = new JsonObject
                {
                    ["namespace"] = "coffer-system",
                    ["serviceaccount"] = new JsonObject { ["name"] = "coffer-operator", ["uid"] = "bench" },
                },
            },
            issuer.RsaCredentials);
    }
}
