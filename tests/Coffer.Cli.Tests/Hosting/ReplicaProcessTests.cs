using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server;
using Coffer.Storage.Tests.Postgres;
using Microsoft.Extensions.Logging;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>
/// Three <c>coffer server</c> processes on one PostgreSQL: writes through one are read through another, killing the
/// one that holds the background lock moves the work to a survivor (a rewrap asked of another survivor runs there),
/// and the watch stream misses no write.
/// </summary>
public sealed class ReplicaProcessTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-replicas-").FullName;
    private string postgres = null!;
    private string token = null!;
    private string keyFile = null!;

    public async Task InitializeAsync()
    {
        postgres = await PostgresServer.CreateDatabaseAsync();
        // Initialise once (in process), then every replica unseals itself from the same key file.
        await using var setup = await CofferServer.StartAsync(
            new CofferServerOptions { PostgresConnectionString = postgres, Listen = "127.0.0.1:0", InsecureListen = true, AuditDirectory = Path.Combine(folder, "setup-audit"), LogLevel = LogLevel.Warning, LogWriter = TextWriter.Null },
            TextWriter.Null,
            CancellationToken.None);
        using var client = new HttpClient { BaseAddress = setup.Address };
        using var init = await client.PostAsync("/v1/sys/init", new StringContent("""{"shares":1,"threshold":1}""", Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await init.Content.ReadAsStringAsync())!;
        token = (string)body["rootToken"]!;
        keyFile = Path.Combine(folder, "unseal.key");
        await File.WriteAllTextAsync(keyFile, (string)body["keys"]![0]!);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public async Task DisposeAsync()
    {
        await PostgresServer.DropDatabaseAsync(postgres);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task KillTheLeader_WorkMovesToASurvivor_WritesAreSharedAndTheWatchMissesNothing()
    {
        var replicas = new List<ReplicaProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                replicas.Add(await ReplicaProcess.StartAsync(postgres, keyFile));
            }

            var clients = replicas.Select(Client).ToList();
            await PutAsync(clients[0], "one", "1");
            Assert.Equal("1", await ReadAsync(clients[1], "one"));

            var leader = await LeaderAsync(replicas, clients);
            await replicas[leader].KillAsync();
            var survivors = Enumerable.Range(0, 3).Where(i => i != leader).ToList();
            var next = await LeaderAsync(replicas, clients, survivors);

            await PutAsync(clients[survivors[0]], "two", "2");
            await PutAsync(clients[survivors[1]], "three", "3");
            Assert.Equal("3", await ReadAsync(clients[survivors[0]], "three"));
            Assert.Contains(next, survivors);
            // Background work now runs on the new leader: a rewrap asked of the other survivor is done there.
            var follower = survivors.Single(i => i != next);
            using (var rotate = await clients[follower].PostAsync("/v1/sys/keys/rotate", null))
            {
                Assert.True(rotate.IsSuccessStatusCode, await rotate.Content.ReadAsStringAsync());
            }

            using (var rewrap = await clients[follower].PostAsync("/v1/sys/keys/rewrap", null))
            {
                Assert.True(rewrap.IsSuccessStatusCode, await rewrap.Content.ReadAsStringAsync());
            }

            var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
            JsonNode keys;
            while ((keys = JsonNode.Parse(await clients[follower].GetStringAsync("/v1/sys/keys"))!)["rewrap"]!["requestedAt"] is not null)
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the new leader did not finish the rewrap");
                await Task.Delay(50);
            }

            Assert.Equal(0, (long)keys["rewrap"]!["remaining"]!);
            Assert.NotNull(keys["keys"]!.AsArray().Single(k => (int)k!["id"]! == 1)!["retiredAt"]);
            Assert.Equal("2", await ReadAsync(clients[follower], "two"));
            var watch = await clients[survivors[1]].GetStringAsync("/v1/watch/namespaces/default/secrets?revision=0&timeoutSeconds=0");
            var written = watch.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Where(e => (string?)e["type"] == "written").Select(e => (string)e["name"]!).ToList();
            Assert.Equal(["one", "two", "three"], written);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    private HttpClient Client(ReplicaProcess replica)
    {
        var client = new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Polls every live replica's coffer_background_leader gauge until exactly one says 1.</summary>
    private static async Task<int> LeaderAsync(List<ReplicaProcess> replicas, List<HttpClient> clients, List<int>? among = null)
    {
        var candidates = among ?? [.. Enumerable.Range(0, replicas.Count)];
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (true)
        {
            var leaders = new List<int>();
            foreach (var i in candidates)
            {
                var metrics = await clients[i].GetStringAsync("/metrics");
                if (metrics.Split('\n').Any(l => l.Trim() == "coffer_background_leader 1"))
                {
                    leaders.Add(i);
                }
            }

            if (leaders.Count == 1)
            {
                return leaders[0];
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"no single leader among replicas {string.Join(",", candidates)} (leaders: {string.Join(",", leaders)})");
            await Task.Delay(50);
        }
    }

    private static async Task PutAsync(HttpClient client, string name, string value)
    {
        using var put = await client.PutAsync($"/v1/namespaces/default/secrets/{name}", new StringContent(new JsonObject { ["stringData"] = new JsonObject { ["v"] = value } }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    private static async Task<string> ReadAsync(HttpClient client, string name) =>
        Encoding.UTF8.GetString(Convert.FromBase64String((string)JsonNode.Parse(await client.GetStringAsync($"/v1/namespaces/default/secrets/{name}"))!["data"]!["v"]!));
}
