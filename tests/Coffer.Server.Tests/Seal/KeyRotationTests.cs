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

    private static long KeyVersions(JsonObject keys, int id) =>
        keys["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<int>() == id)!["versions"]!.GetValue<long>();
}
