using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Storage.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Hosting;

/// <summary>Two servers on one PostgreSQL, each unsealed on its own: what one writes, the other reads.</summary>
public sealed class PostgresReplicaTests : IAsyncLifetime
{
    private string connectionString = null!;

    public async Task InitializeAsync() => connectionString = await PostgresServer.CreateDatabaseAsync();

    private readonly List<string> auditFolders = [];

    public async Task DisposeAsync()
    {
        await PostgresServer.DropDatabaseAsync(connectionString);
        foreach (var folder in auditFolders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ThreeReplicas_OnlyAnUnsealedOneLeads_ASealedLeaderLetsGo_AndAnotherTakesOverWhenItStops()
    {
        var replicas = new List<RunningServer>();
        for (var i = 0; i < 3; i++)
        {
            replicas.Add(await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None));
        }

        var clients = replicas.Select(r => new HttpClient { BaseAddress = r.Address }).ToList();
        try
        {
            static bool Leads(RunningServer server) => server.Services.GetRequiredService<Coffer.Server.Hosting.BackgroundLeadership>().IsLeader;
            var init = await SendAsync(clients[0], HttpMethod.Post, "/v1/sys/init", """{"shares":1,"threshold":1}""", 200);
            var unseal = JsonSerializer.Serialize(new { key = init["keys"]![0]!.GetValue<string>() });
            foreach (var client in clients)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", init["rootToken"]!.GetValue<string>());
            }

            // Only the unsealed replica can do the work, so only it may lead, however the lock race would go.
            await SendAsync(clients[1], HttpMethod.Post, "/v1/sys/unseal", unseal, 200);
            await Poll.UntilAsync(() => Leads(replicas[1]), "the one unsealed replica took the lock");
            Assert.False(Leads(replicas[0]) || Leads(replicas[2]));

            await SendAsync(clients[0], HttpMethod.Post, "/v1/sys/unseal", unseal, 200);
            await SendAsync(clients[2], HttpMethod.Post, "/v1/sys/unseal", unseal, 200);
            await SendAsync(clients[1], HttpMethod.Post, "/v1/sys/seal", null, 200);
            await Poll.UntilAsync(() => !Leads(replicas[1]) && replicas.Count(Leads) == 1, "the sealed leader let go and one unsealed replica took over");
            var leader = replicas.Single(Leads);

            var sealedOne = replicas[1];
            var standby = replicas.Single(r => r != leader && r != sealedOne);
            await leader.DisposeAsync();
            replicas.Remove(leader);
            await Poll.UntilAsync(() => Leads(standby), "the other unsealed replica took the lock after the leader stopped");
            Assert.False(Leads(sealedOne));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task LeaderLosesItsDatabaseSession_StopsLeading_AndExactlyOneReplicaLeadsAgain()
    {
        await using var pair = await StartUnsealedPairAsync();
        var (first, second, a, b) = (pair.First, pair.Second, pair.A, pair.B);

        static bool Leads(RunningServer server) => server.Services.GetRequiredService<Coffer.Server.Hosting.BackgroundLeadership>().IsLeader;
        await Poll.UntilAsync(() => Leads(first) != Leads(second), "one of two replicas leads");
        var leader = Leads(first) ? first : second;

        // The process stays up but its session is gone (a network cut, a failover, an administrator's kill).
        await using (var admin = new Npgsql.NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync();
            await using var kill = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 1131374182 AND objid = 1701989425;",
                admin);
            Assert.Equal(1L, (long)(await kill.ExecuteScalarAsync())!);
        }

        await Poll.UntilAsync(() => !Leads(leader), "the old leader noticed it lost its session");
        await Poll.UntilAsync(() => Leads(first) != Leads(second), "exactly one replica leads again");
    }

    [Fact]
    public async Task Rewrap_RequestedThroughAFollower_RunsOnTheLeaderOnly_AndEveryReplicaSeesItFinish()
    {
        await using var pair = await StartUnsealedPairAsync();
        var (first, second, a, b) = (pair.First, pair.Second, pair.A, pair.B);

        for (var i = 0; i < 5; i++)
        {
            await SendAsync(a, HttpMethod.Put, $"/v1/namespaces/default/secrets/s{i}", new JsonObject { ["stringData"] = new JsonObject { ["v"] = $"{i}" } }.ToJsonString(), 201);
        }

        static Coffer.Server.Hosting.BackgroundLeadership Leadership(RunningServer server) => server.Services.GetRequiredService<Coffer.Server.Hosting.BackgroundLeadership>();
        await Poll.UntilAsync(() => Leadership(first).IsLeader != Leadership(second).IsLeader, "one of two replicas leads");
        var (leader, follower, followerClient) = Leadership(first).IsLeader ? (first, second, b) : (second, first, a);

        await SendAsync(followerClient, HttpMethod.Post, "/v1/sys/keys/rotate", null, 200);
        var started = await SendAsync(followerClient, HttpMethod.Post, "/v1/sys/keys/rewrap", null, 200);
        Assert.True(started["rewrap"]!["running"]!.GetValue<bool>());
        Assert.NotNull(started["rewrap"]!["requestedAt"]);

        JsonObject keys = null!;
        await Poll.UntilAsync(
            async () => !(keys = await SendAsync(followerClient, HttpMethod.Get, "/v1/sys/keys", null, 200))["rewrap"]!["running"]!.GetValue<bool>(),
            "the leader finished the rewrap asked for through the follower");

        Assert.Equal(0, keys["rewrap"]!["remaining"]!.GetValue<long>());
        Assert.Null(keys["rewrap"]!["requestedAt"]);
        Assert.NotNull(keys["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<int>() == 1)!["retiredAt"]);
        static Coffer.Server.Seal.RewrapProgress Run(RunningServer server) => server.Services.GetRequiredService<Coffer.Server.Seal.RewrapRunner>().Progress;
        Assert.Null(Run(follower).StartedAt);
        Assert.Equal(5, Run(leader).Rewrapped);
        Assert.Equal([1], Run(leader).RetiredKeyIds);
        for (var i = 0; i < 5; i++)
        {
            var read = await SendAsync(followerClient, HttpMethod.Get, $"/v1/namespaces/default/secrets/s{i}", null, 200);
            Assert.Equal($"{i}", Encoding.UTF8.GetString(Convert.FromBase64String(read["data"]!["v"]!.GetValue<string>())));
        }
    }

    [Fact]
    public async Task TwoReplicas_WriteThroughOne_ReadThroughOther_CheckAndSetShared()
    {
        var output = new StringWriter();
        await using var first = await CofferServer.StartAsync(Replica(), output, CancellationToken.None);
        await using var second = await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None);
        Assert.Contains("(data: PostgreSQL)", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, output.ToString(), StringComparison.Ordinal);
        using var a = new HttpClient { BaseAddress = first.Address };
        using var b = new HttpClient { BaseAddress = second.Address };

        var init = await SendAsync(a, HttpMethod.Post, "/v1/sys/init", """{"shares":3,"threshold":2}""", 200);
        var keys = init["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToArray();
        foreach (var client in new[] { a, b })
        {
            // Each replica holds its own root key in memory and unseals on its own.
            Assert.True((await SendAsync(client, HttpMethod.Get, "/v1/sys/seal-status", null, 200))["sealed"]!.GetValue<bool>());
            await SendAsync(client, HttpMethod.Post, "/v1/sys/unseal", JsonSerializer.Serialize(new { key = keys[0] }), 200);
            await SendAsync(client, HttpMethod.Post, "/v1/sys/unseal", JsonSerializer.Serialize(new { key = keys[2] }), 200);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", init["rootToken"]!.GetValue<string>());
        }

        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/db", """{"stringData":{"password":"from-a"}}""", 201);
        var read = await SendAsync(b, HttpMethod.Get, "/v1/namespaces/default/secrets/db", null, 200);
        Assert.Equal("from-a", Encoding.UTF8.GetString(Convert.FromBase64String(read["data"]!["password"]!.GetValue<string>())));

        // Version 1 is current on both: the first check-and-set wins, the other replica's gets 409.
        await SendAsync(b, HttpMethod.Put, "/v1/namespaces/default/secrets/db", """{"stringData":{"password":"from-b"}}""", 200, ("If-Match", "\"1\""));
        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/db", """{"stringData":{"password":"late"}}""", 409, ("If-Match", "\"1\""));
        var again = await SendAsync(a, HttpMethod.Get, "/v1/namespaces/default/secrets/db", null, 200);
        Assert.Equal(2, again["metadata"]!["version"]!.GetValue<long>());
        Assert.Equal("from-b", Encoding.UTF8.GetString(Convert.FromBase64String(again["data"]!["password"]!.GetValue<string>())));

        // A rotation on one replica: the other opens what is wrapped under the new key, and rotates from the newest ring.
        await SendAsync(a, HttpMethod.Post, "/v1/sys/keys/rotate", null, 200);
        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/db", """{"stringData":{"password":"new-key"}}""", 200);
        var underNewKey = await SendAsync(b, HttpMethod.Get, "/v1/namespaces/default/secrets/db", null, 200);
        var rotatedOnB = await SendAsync(b, HttpMethod.Post, "/v1/sys/keys/rotate", null, 200);
        await SendAsync(b, HttpMethod.Put, "/v1/namespaces/default/secrets/db", """{"stringData":{"password":"newest-key"}}""", 200);
        var underNewestKey = await SendAsync(a, HttpMethod.Get, "/v1/namespaces/default/secrets/db", null, 200);
        Assert.Equal("new-key", Encoding.UTF8.GetString(Convert.FromBase64String(underNewKey["data"]!["password"]!.GetValue<string>())));
        Assert.Equal(3, rotatedOnB["currentKeyId"]!.GetValue<int>());
        Assert.Equal("newest-key", Encoding.UTF8.GetString(Convert.FromBase64String(underNewestKey["data"]!["password"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Watch_OnOneReplica_SeesWritesMadeThroughTheOther_InRevisionOrder()
    {
        await using var pair = await StartUnsealedPairAsync();
        var (first, second, a, b) = (pair.First, pair.Second, pair.A, pair.B);

        using var watch = await b.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/watch/namespaces/default/secrets?timeoutSeconds=60"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("bookmark", JsonNode.Parse((await reader.ReadLineAsync(deadline.Token))!)!["type"]!.GetValue<string>());

        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/one", """{"stringData":{"v":"1"}}""", 201);
        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/two", """{"stringData":{"v":"2"}}""", 201);
        var seen = new List<JsonNode>();
        while (seen.Count < 2)
        {
            var line = JsonNode.Parse((await reader.ReadLineAsync(deadline.Token))!)!;
            if (line["type"]!.GetValue<string>() != "bookmark")
            {
                seen.Add(line);
            }
        }

        Assert.Equal(["one", "two"], seen.Select(e => e["name"]!.GetValue<string>()));
        Assert.True(seen[0]["revision"]!.GetValue<long>() < seen[1]["revision"]!.GetValue<long>());
    }

    /// <summary>Two replicas of one new installation, both unsealed, with clients that carry the root token.</summary>
    private async Task<ReplicaPair> StartUnsealedPairAsync()
    {
        var first = await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None);
        var second = await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None);
        var pair = new ReplicaPair(first, second, new HttpClient { BaseAddress = first.Address }, new HttpClient { BaseAddress = second.Address });
        var init = await SendAsync(pair.A, HttpMethod.Post, "/v1/sys/init", """{"shares":1,"threshold":1}""", 200);
        foreach (var client in new[] { pair.A, pair.B })
        {
            await SendAsync(client, HttpMethod.Post, "/v1/sys/unseal", JsonSerializer.Serialize(new { key = init["keys"]![0]!.GetValue<string>() }), 200);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", init["rootToken"]!.GetValue<string>());
        }

        return pair;
    }

    /// <summary>Each replica keeps its own audit log, as each pod would.</summary>
    private CofferServerOptions Replica()
    {
        var folder = Directory.CreateTempSubdirectory("coffer-replica-audit-").FullName;
        auditFolders.Add(folder);
        return new CofferServerOptions { Listen = "127.0.0.1:0", PostgresConnectionString = connectionString, InsecureListen = true, LogLevel = LogLevel.Warning, AuditDirectory = folder };
    }

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, string? json, int status, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{method} {path}: expected {status}, got {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private sealed record ReplicaPair(RunningServer First, RunningServer Second, HttpClient A, HttpClient B) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await First.DisposeAsync();
            await Second.DisposeAsync();
        }
    }
}
