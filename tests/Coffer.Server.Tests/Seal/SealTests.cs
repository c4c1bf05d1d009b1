using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Seal;

public sealed class SealTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartInsecureAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Uninitialised_Sealed503_HealthOk_NotReady()
    {
        using var health = await server.Client.GetAsync("/healthz");
        using var ready = await server.Client.GetAsync("/readyz");
        using var secrets = await server.Client.GetAsync("/v1/namespaces/default/secrets/db");
        var status = await server.GetJsonAsync("/v1/sys/seal-status");

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(503, (int)ready.StatusCode);
        await TestServer.AssertErrorAsync(secrets, 503, "Sealed");
        Assert.False(status["initialized"]!.GetValue<bool>());
        Assert.True(status["sealed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task InitThenUnseal_NeedsThresholdShares()
    {
        var init = await server.PostJsonAsync("/v1/sys/init", "{}");
        var keys = init["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        server.UseToken(init["rootToken"]!.GetValue<string>());

        var afterOne = await server.PostJsonAsync("/v1/sys/unseal", Key(keys[4]));
        var afterTwo = await server.PostJsonAsync("/v1/sys/unseal", Key(keys[1]));
        using var stillSealed = await server.Client.GetAsync("/v1/namespaces/default/secrets");
        var afterThree = await server.PostJsonAsync("/v1/sys/unseal", Key(keys[2]));
        using var ready = await server.Client.GetAsync("/readyz");

        Assert.Equal(5, keys.Count);
        Assert.Equal(3, init["threshold"]!.GetValue<int>());
        Assert.Equal(1, afterOne["progress"]!.GetValue<int>());
        Assert.Equal(2, afterTwo["progress"]!.GetValue<int>());
        Assert.True(afterTwo["sealed"]!.GetValue<bool>());
        await TestServer.AssertErrorAsync(stillSealed, 503, "Sealed");
        Assert.False(afterThree["sealed"]!.GetValue<bool>());
        Assert.Equal(200, (int)ready.StatusCode);
        await server.PutSecretAsync("default", "db", new Dictionary<string, string> { ["k"] = "v" });
    }

    [Fact]
    public async Task Seal_ForgetsKeys_503UntilUnsealedAgain()
    {
        var keys = await InitAndUnsealAsync(3, 2);
        await server.PutSecretAsync("default", "db", new Dictionary<string, string> { ["k"] = "kept" });

        var sealedStatus = await server.PostJsonAsync("/v1/sys/seal", "{}");
        using var whileSealed = await server.Client.GetAsync("/v1/namespaces/default/secrets/db");
        await server.PostJsonAsync("/v1/sys/unseal", Key(keys[0]));
        await server.PostJsonAsync("/v1/sys/unseal", Key(keys[2]));

        Assert.True(sealedStatus["sealed"]!.GetValue<bool>());
        await TestServer.AssertErrorAsync(whileSealed, 503, "Sealed");
        Assert.Equal("kept", (await server.GetSecretAsync("default", "db")).Values["k"]);
    }

    [Fact]
    public async Task Unseal_SharesFromAnotherInstallation_FailAndResetProgress()
    {
        await server.PostJsonAsync("/v1/sys/init", """{"shares":3,"threshold":2}""");
        await using var other = await TestServer.StartInsecureAsync();
        var foreign = (await other.PostJsonAsync("/v1/sys/init", """{"shares":3,"threshold":2}"""))["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();

        await server.PostJsonAsync("/v1/sys/unseal", Key(foreign[0]));
        using var failed = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/unseal", Key(foreign[1]));
        var status = await server.GetJsonAsync("/v1/sys/seal-status");

        await TestServer.AssertErrorAsync(failed, 400, "UnsealFailed");
        Assert.True(status["sealed"]!.GetValue<bool>());
        Assert.Equal(0, status["progress"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"key":"not-a-share"}""", 400, "InvalidUnsealKey")]
    [InlineData("""{"key":5}""", 400, "WrongType")]
    [InlineData("""{}""", 400, "InvalidUnsealKey")]
    [InlineData("""{"key":"x","extra":1}""", 400, "UnknownField")]
    public async Task Unseal_BadInput_4xxAndProgressUnchanged(string body, int status, string reason)
    {
        var keys = (await server.PostJsonAsync("/v1/sys/init", """{"shares":3,"threshold":3}"""))["keys"]!.AsArray();
        await server.PostJsonAsync("/v1/sys/unseal", Key(keys[0]!.GetValue<string>()));

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/unseal", body);

        await TestServer.AssertErrorAsync(response, status, reason);
        Assert.Equal(1, (await server.GetJsonAsync("/v1/sys/seal-status"))["progress"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unseal_BeforeInit_409() =>
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/unseal", """{"key":"AAAA"}"""), 409, "NotInitialized");

    [Theory]
    [InlineData("""{"shares":2,"threshold":3}""")]
    [InlineData("""{"shares":300,"threshold":3}""")]
    [InlineData("""{"shares":3,"threshold":0}""")]
    [InlineData("""{"shares":"5"}""")]
    public async Task Init_BadParameters_400AndStillUninitialised(string body)
    {
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/init", body), 400);
        Assert.False((await server.GetJsonAsync("/v1/sys/seal-status"))["initialized"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Init_Twice_409()
    {
        await server.PostJsonAsync("/v1/sys/init", "{}");
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/init", "{}"), 409, "AlreadyInitialized");
    }

    [Fact]
    public async Task Restart_StartsSealed_UnsealKeyFileUnseals()
    {
        var keys = await InitAndUnsealAsync(1, 1);
        await server.PutSecretAsync("default", "db", new Dictionary<string, string> { ["k"] = "persisted" });
        var folder = Directory.GetParent(server.DataDirectory)!.FullName;
        var keyFile = Path.Combine(folder, "unseal.key");
        File.WriteAllText(keyFile, keys[0] + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var token = server.RootToken;
        await server.Server.DisposeAsync();

        var sealedAgain = await CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = server.DataDirectory, InsecureListen = true, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            TextWriter.Null,
            CancellationToken.None);
        await using (sealedAgain)
        {
            using var client = new HttpClient { BaseAddress = sealedAgain.Address };
            var status = JsonNode.Parse(await client.GetStringAsync("/v1/sys/seal-status"))!;
            Assert.True(status["initialized"]!.GetValue<bool>());
            Assert.True(status["sealed"]!.GetValue<bool>());
        }

        var restarted = await CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = server.DataDirectory, InsecureListen = true, UnsealKeyFile = keyFile, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            TextWriter.Null,
            CancellationToken.None);
        await using (restarted)
        {
            using var client = new HttpClient { BaseAddress = restarted.Address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var body = JsonNode.Parse(await client.GetStringAsync("/v1/namespaces/default/secrets/db"))!;
            Assert.Equal("cGVyc2lzdGVk", body["data"]!["k"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    public async Task UnsealKeyFile_NotOwnerOnly_Refused(UnixFileMode mode)
    {
        var keys = await InitAndUnsealAsync(1, 1);
        var keyFile = Path.Combine(Directory.GetParent(server.DataDirectory)!.FullName, "loose.key");
        File.WriteAllText(keyFile, keys[0]);
        File.SetUnixFileMode(keyFile, mode);

        var error = await Assert.ThrowsAsync<Core.Errors.CofferException>(() => CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = server.DataDirectory + "-other", InsecureListen = true, UnsealKeyFile = keyFile },
            TextWriter.Null,
            CancellationToken.None));

        Assert.Equal("UnsealKeyFileMode", error.Reason);
        Assert.Contains("0600", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keys[0], error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(server.DataDirectory + "-other"));
    }

    private async Task<List<string>> InitAndUnsealAsync(int shares, int threshold)
    {
        var init = await server.PostJsonAsync("/v1/sys/init", $$"""{"shares":{{shares}},"threshold":{{threshold}}}""");
        var keys = init["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        server.UseToken(init["rootToken"]!.GetValue<string>());
        foreach (var key in keys.Take(threshold))
        {
            await server.PostJsonAsync("/v1/sys/unseal", Key(key));
        }

        return keys;
    }

    private static string Key(string key) => new JsonObject { ["key"] = key }.ToJsonString();
}
