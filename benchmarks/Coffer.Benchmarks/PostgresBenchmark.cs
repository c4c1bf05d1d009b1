using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coffer.Benchmarks;

/// <summary>
/// <c>--postgres</c>: Coffer on PostgreSQL against raw Npgsql on the same database in the same run (a point read by
/// primary key; a single-row insert, each its own commit), and the read rate of two replicas against one. Needs
/// COFFER_TEST_POSTGRES (an admin connection string, as ./test.sh exports) to create a database of its own.
/// </summary>
internal static class PostgresBenchmark
{
    private const int Workers = 16;
    private const int Rounds = 3;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES") is not { Length: > 0 } admin)
        {
            await output.WriteLineAsync("--postgres needs COFFER_TEST_POSTGRES (source tests/start-postgres.sh first)").ConfigureAwait(false);
            return 2;
        }

        var name = $"coffer_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name};", cancellationToken).ConfigureAwait(false);
        var database = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 64 }.ConnectionString;
        var folder = Directory.CreateTempSubdirectory("coffer-pg-bench-").FullName;
        try
        {
            await using var raw = NpgsqlDataSource.Create(database);
            var payload = RandomNumberGenerator.GetBytes(200);
            await ExecuteAsync(database, "CREATE TABLE raw_bench (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload bytea NOT NULL); INSERT INTO raw_bench (payload) VALUES ('\\x00');", cancellationToken).ConfigureAwait(false);

            await using var first = await StartReplicaAsync(database, Path.Combine(folder, "a"), cancellationToken).ConfigureAwait(false);
            await using var second = await StartReplicaAsync(database, Path.Combine(folder, "b"), cancellationToken).ConfigureAwait(false);
            using var a = Client(first.Address);
            using var b = Client(second.Address);
            var init = JsonNode.Parse(await PostAsync(a, "/v1/sys/init", """{"shares":1,"threshold":1}""", cancellationToken).ConfigureAwait(false))!;
            foreach (var client in new[] { a, b })
            {
                await PostAsync(client, "/v1/sys/unseal", new JsonObject { ["key"] = (string)init["keys"]![0]! }.ToJsonString(), cancellationToken).ConfigureAwait(false);
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)init["rootToken"]!);
            }

            var body = Encoding.UTF8.GetBytes(new JsonObject { ["data"] = new JsonObject { ["value"] = Convert.ToBase64String(payload) } }.ToJsonString());
            await PutAsync(a, body, cancellationToken).ConfigureAwait(false);
            const string Secret = "/v1/namespaces/default/secrets/s200";
            var phases = new (string Name, Func<int, CancellationToken, Task> Operation)[]
            {
                ("raw-read", async (_, ct) =>
                {
                    await using var command = raw.CreateCommand("SELECT payload FROM raw_bench WHERE id = 1;");
                    await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                }),
                ("raw-insert", async (_, ct) =>
                {
                    await using var command = raw.CreateCommand("INSERT INTO raw_bench (payload) VALUES ($1);");
                    command.Parameters.Add(new NpgsqlParameter { Value = payload });
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }),
                ("coffer-read", (_, ct) => GetAsync(a, Secret, ct)),
                ("coffer-write", (_, ct) => PutAsync(a, body, ct)),
                ("coffer-read-2-replicas", (worker, ct) => GetAsync(worker % 2 == 0 ? a : b, Secret, ct)),
            };
            var rates = phases.ToDictionary(p => p.Name, _ => new List<double>());
            for (var round = 1; round <= Rounds; round++)
            {
                foreach (var (phase, operation) in round % 2 == 0 ? phases.Reverse() : phases)
                {
                    var worker = 0;
                    var sample = await LoadWindow.MeasureAsync(Workers, ct => operation(Interlocked.Increment(ref worker), ct), Warmup, Window, cancellationToken).ConfigureAwait(false);
                    rates[phase].Add(sample.PerSecond);
                    await output.WriteLineAsync($"  round {round} {phase,-24} {sample.PerSecond,8:F0} ops/s").ConfigureAwait(false);
                }
            }

            double Median(string phase) => rates[phase].Order().ElementAt(rates[phase].Count / 2);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"| phase ({Workers} workers) | median ops/s (min-max) |").ConfigureAwait(false);
            await output.WriteLineAsync("| --- | ---: |").ConfigureAwait(false);
            foreach (var (phase, _) in phases)
            {
                await output.WriteLineAsync($"| {phase} | {Median(phase):F0} ({rates[phase].Min():F0}-{rates[phase].Max():F0}) |").ConfigureAwait(false);
            }

            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"| ratio | value |").ConfigureAwait(false);
            await output.WriteLineAsync("| --- | ---: |").ConfigureAwait(false);
            await output.WriteLineAsync($"| Coffer read / raw Npgsql point read | {Median("coffer-read") / Median("raw-read"):F2} |").ConfigureAwait(false);
            await output.WriteLineAsync($"| Coffer write / raw Npgsql single-row insert | {Median("coffer-write") / Median("raw-insert"):F2} |").ConfigureAwait(false);
            await output.WriteLineAsync($"| two replicas' reads / one replica's | {Median("coffer-read-2-replicas") / Median("coffer-read"):F2} |").ConfigureAwait(false);
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);", CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<RunningServer> StartReplicaAsync(string database, string folder, CancellationToken cancellationToken) =>
        CofferServer.StartAsync(
            new CofferServerOptions { PostgresConnectionString = database, Listen = "127.0.0.1:0", InsecureListen = true, AuditDirectory = Path.Combine(folder, "audit"), LogLevel = LogLevel.Warning },
            TextWriter.Null,
            cancellationToken);

    private static HttpClient Client(Uri address) => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue, UseProxy = false })
    {
        BaseAddress = address,
        DefaultRequestVersion = HttpVersion.Version11,
    };

    private static async Task GetAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task PutAsync(HttpClient client, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PutAsync("/v1/namespaces/default/secrets/s200", content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> PostAsync(HttpClient client, string path, string json, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
