using System.Diagnostics;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Seal;

public sealed class KeyRotationTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartDevAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Rotate_NewWritesUseNewKey_OldStillReadable()
    {
        await server.PutSecretAsync("default", "before", new Dictionary<string, string> { ["k"] = "old" });

        var rotated = await server.PostJsonAsync("/v1/sys/keys/rotate", "{}");
        await server.PutSecretAsync("default", "after", new Dictionary<string, string> { ["k"] = "new" });
        var keys = await server.GetJsonAsync("/v1/sys/keys");

        Assert.Equal(2, rotated["currentKeyId"]!.GetValue<int>());
        Assert.Equal(1, KeyVersions(keys, 1));
        Assert.Equal(1, KeyVersions(keys, 2));
        Assert.Equal(1, keys["rewrap"]!["remaining"]!.GetValue<long>());
        Assert.Equal("old", (await server.GetSecretAsync("default", "before")).Values["k"]);
    }

    [Fact]
    public async Task Rewrap_WhileReadsAndWritesGoOn_MovesEverythingAndRetiresOldKeys()
    {
        await server.CreateNamespacesAsync("bulk", "live");
        for (var i = 0; i < 150; i++)
        {
            await server.PutSecretAsync("bulk", $"s{i}", new Dictionary<string, string> { ["v"] = $"value-{i}" });
        }

        await server.PostJsonAsync("/v1/sys/keys/rotate", "{}");
        for (var i = 0; i < 20; i++)
        {
            await server.PutSecretAsync("bulk", $"s{i}", new Dictionary<string, string> { ["v"] = $"value-{i}-b" });
        }

        await server.PostJsonAsync("/v1/sys/keys/rotate", "{}");
        var started = await server.PostJsonAsync("/v1/sys/keys/rewrap", "{}");

        // Keep reading and writing while the rewrap runs; poll its progress with a deadline.
        var deadline = Stopwatch.StartNew();
        JsonObject keys;
        var round = 0;
        do
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "rewrap did not finish within 60 s");
            var n = round++ % 150;
            Assert.StartsWith($"value-{n}", (await server.GetSecretAsync("bulk", $"s{n}")).Values["v"], StringComparison.Ordinal);
            await server.PutSecretAsync("live", $"w{round}", new Dictionary<string, string> { ["v"] = "during" });
            keys = await server.GetJsonAsync("/v1/sys/keys");
        }
        while (keys["rewrap"]!["running"]!.GetValue<bool>());

        Assert.True(started["rewrap"]!["running"]!.GetValue<bool>() || started["rewrap"]!["finishedAt"] is not null);
        Assert.Equal(170, started["rewrap"]!["rewrapped"]!.GetValue<long>() + started["rewrap"]!["remaining"]!.GetValue<long>());
        Assert.Null(keys["rewrap"]!["error"]);
        Assert.Equal(170, keys["rewrap"]!["rewrapped"]!.GetValue<long>());
        Assert.Equal(0, keys["rewrap"]!["remaining"]!.GetValue<long>());
        Assert.Equal([1, 2], keys["rewrap"]!["retiredKeyIds"]!.AsArray().Select(k => k!.GetValue<int>()));
        Assert.All(keys["keys"]!.AsArray().Where(k => k!["id"]!.GetValue<int>() < 3), k => Assert.NotNull(k!["retiredAt"]));
        Assert.Equal(170 + round, KeyVersions(keys, 3));
        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(i < 20 ? $"value-{i}-b" : $"value-{i}", (await server.GetSecretAsync("bulk", $"s{i}")).Values["v"]);
        }

        Assert.Equal("value-0", (await server.GetSecretAsync("bulk", "s0", 1)).Values["v"]);
    }

    [Fact]
    public async Task Rewrap_NothingToDo_FinishesWithoutRetiringCurrent()
    {
        await server.PutSecretAsync("default", "one", new Dictionary<string, string> { ["k"] = "v" });
        await server.PostJsonAsync("/v1/sys/keys/rewrap", "{}");
        var deadline = Stopwatch.StartNew();
        JsonObject keys;
        do
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30));
            keys = await server.GetJsonAsync("/v1/sys/keys");
        }
        while (keys["rewrap"]!["running"]!.GetValue<bool>());

        Assert.Empty(keys["rewrap"]!["retiredKeyIds"]!.AsArray());
        Assert.Null(keys["keys"]![0]!["retiredAt"]);
        Assert.Equal("v", (await server.GetSecretAsync("default", "one")).Values["k"]);
    }

    [Fact]
    public async Task Rewrap_RequestStandingWhenTheServerStopped_IsFinishedAfterARestart()
    {
        await using var stopped = await TestServer.StartInsecureAsync();
        var init = await stopped.PostJsonAsync("/v1/sys/init", """{"shares":1,"threshold":1}""");
        var key = init["keys"]![0]!.GetValue<string>();
        await stopped.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = key }.ToJsonString());
        stopped.UseToken(init["rootToken"]!.GetValue<string>());
        for (var i = 0; i < 3; i++)
        {
            await stopped.PutSecretAsync("default", $"s{i}", new Dictionary<string, string> { ["v"] = $"value-{i}" });
        }

        await stopped.PostJsonAsync("/v1/sys/keys/rotate", "{}");
        await stopped.Server.DisposeAsync();

        // A request the server took but never finished (as when it is killed mid-run) stays in the store.
        var database = Path.Combine(stopped.DataDirectory, Coffer.Storage.Sqlite.SqliteStorage.FileName);
        await using (var storage = await Coffer.Storage.Sqlite.SqliteStorage.OpenAsync(database, CancellationToken.None))
        {
            await storage.RewrapRequests.RequestAsync(TimeProvider.System.GetUtcNow(), CancellationToken.None);
        }

        var keyFile = Path.Combine(Directory.GetParent(stopped.DataDirectory)!.FullName, "unseal.key");
        await File.WriteAllTextAsync(keyFile, key);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var restarted = await CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = stopped.DataDirectory, InsecureListen = true, UnsealKeyFile = keyFile, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            TextWriter.Null,
            CancellationToken.None);
        using var client = new HttpClient { BaseAddress = restarted.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", init["rootToken"]!.GetValue<string>());
        JsonNode keys = null!;
        await Poll.UntilAsync(
            async () => (keys = JsonNode.Parse(await client.GetStringAsync("/v1/sys/keys"))!)["rewrap"]!["requestedAt"] is null,
            "the restarted server finished the standing rewrap");

        Assert.Equal(0, keys["rewrap"]!["remaining"]!.GetValue<long>());
        Assert.Equal(3, keys["rewrap"]!["rewrapped"]!.GetValue<long>());
        Assert.NotNull(keys["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<int>() == 1)!["retiredAt"]);
        var read = JsonNode.Parse(await client.GetStringAsync("/v1/namespaces/default/secrets/s2"))!;
        Assert.Equal("value-2", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(read["data"]!["v"]!.GetValue<string>())));
    }

    private static long KeyVersions(JsonObject keys, int id) =>
        keys["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<int>() == id)!["versions"]!.GetValue<long>();
}
