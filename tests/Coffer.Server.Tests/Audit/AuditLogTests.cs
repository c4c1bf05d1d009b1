using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Hosting;
using Coffer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Audit;

/// <summary>Every request on record, no value in it, a chain and signed checkpoints that expose any tampering, and fail-closed sinks.</summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private const string SecretValue = "audit-canary-7f3a9c";
    private readonly string auditFolder = Directory.CreateTempSubdirectory("coffer-audit-test-").FullName;
    private SwitchableSink? sink;
    private TestServer? server;

    private string LogPath => Path.Combine(auditFolder, "audit.log");

    private string PublicKey => File.ReadAllText(Path.Combine(auditFolder, "audit-signing-key.pub.pem"));

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync(configure: (_, options) => options with
        {
            AuditDirectory = auditFolder,
            AuditSinkWrapper = inner => sink = new SwitchableSink(inner),
        });
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(auditFolder, recursive: true);
    }

    [Fact]
    public async Task Requests_AllowedDeniedAndUnauthenticated_AreRecordedWithoutValuesOrTokens()
    {
        await server!.PutSecretAsync("default", "db", new Dictionary<string, string> { ["password"] = SecretValue });
        await server.GetSecretAsync("default", "db");
        var token = (await server.PostJsonAsync("/v1/tokens", """{"ttl":"1h","user":"nobody"}"""))["token"]!.GetValue<string>();
        server.UseToken(token);
        using var denied = await server.Client.GetAsync("/v1/namespaces/default/secrets/db");
        server.UseToken("cfr_not-a-real-token");
        using var unknown = await server.Client.GetAsync("/v1/namespaces/default/secrets/db");
        var rootToken = server.RootToken!;
        await StopAsync();

        var text = await File.ReadAllTextAsync(LogPath);
        var entries = Entries();
        var reads = entries.Where(e => (string?)e["path"] == "/v1/namespaces/default/secrets/db" && (string?)e["method"] == "GET").ToList();

        Assert.DoesNotContain(SecretValue, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(rootToken, text, StringComparison.Ordinal);
        Assert.Equal(["allow", "deny", null], reads.Select(e => (string?)e["decision"]));
        Assert.Equal([200, 403, 401], reads.Select(e => (int)e["status"]!));
        Assert.Equal(["root", "nobody", null], reads.Select(e => (string?)e["user"]));
        Assert.All(reads.Take(2), e => Assert.False(string.IsNullOrEmpty((string?)e["accessor"])));
        var put = entries.Where(e => (string?)e["method"] == "PUT").ToList();
        Assert.Equal(["RequestReceived", "ResponseComplete"], put.Select(e => (string?)e["stage"]));
        Assert.Equal((string?)put[0]["requestId"], (string?)put[1]["requestId"]);
        Assert.True(AuditVerifier.Verify([LogPath], PublicKey).Intact);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(auditFolder, "audit-signing-key.pem")));
    }

    public static TheoryData<string> Tampering => ["edit", "remove", "reorder", "truncate", "rewrite-chain"];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Verify_EachKindOfTampering_IsDetected(string kind)
    {
        for (var i = 0; i < 5; i++)
        {
            await server!.PutSecretAsync("default", $"s{i}", new Dictionary<string, string> { ["v"] = "x" });
        }

        await StopAsync();
        Assert.True(AuditVerifier.Verify([LogPath], PublicKey).Intact);
        var lines = File.ReadAllLines(LogPath).ToList();
        switch (kind)
        {
            case "edit":
                lines[3] = lines[3].Replace("\"status\":200", "\"status\":404", StringComparison.Ordinal).Replace("\"method\":\"PUT\"", "\"method\":\"GET\"", StringComparison.Ordinal);
                break;
            case "remove":
                lines.RemoveAt(4);
                break;
            case "reorder":
                (lines[4], lines[5]) = (lines[5], lines[4]);
                break;
            case "truncate":
                lines.RemoveRange(lines.Count - 3, 3);
                break;
            case "rewrite-chain":
                // Whoever edits an entry and recomputes every later hash still cannot sign the checkpoint that follows.
                lines = Rechain(lines, 3);
                break;
        }

        await File.WriteAllLinesAsync(LogPath, lines);
        var result = AuditVerifier.Verify([LogPath], PublicKey);

        Assert.False(result.Intact, kind);
        Assert.False(string.IsNullOrEmpty(result.Problem));
    }

    [Fact]
    public async Task Verify_TruncatedWhileOpen_IsDetectedAgainstAKeptCheckpoint()
    {
        await server!.PutSecretAsync("default", "a", new Dictionary<string, string> { ["v"] = "x" });
        var log = server.Server.Services.GetRequiredService<AuditLog>();
        await log.CheckpointAsync(final: false, CancellationToken.None);
        var kept = System.Text.Json.JsonSerializer.Serialize(log.LatestCheckpoint!, AuditJsonContext.Default.AuditEntry);
        var lines = File.ReadAllLines(LogPath);
        var cut = Path.Combine(auditFolder, "cut.log");
        await File.WriteAllLinesAsync(cut, lines[..^2]);

        Assert.True(AuditVerifier.Verify([LogPath], PublicKey, kept, open: true).Intact);
        Assert.False(AuditVerifier.Verify([cut], PublicKey, kept, open: true).Intact);
    }

    [Fact]
    public async Task Put_Change_ItsRequestReceivedEntryIsCommittedWithTheChange_NotWaitingForTheFile()
    {
        await RestartAsync(TimeSpan.FromHours(1));
        sink!.Calls.Clear();
        await server!.PutSecretAsync("default", "kept", new Dictionary<string, string> { ["v"] = SecretValue });
        var calls = sink.Calls.ToList();
        var log = server.Server.Services.GetRequiredService<AuditLog>();

        var kept = await server.Server.Services.GetRequiredService<IAuditOutbox>().ReadAsync(log.LogId, CancellationToken.None);

        var record = Assert.Single(kept);
        var line = Encoding.UTF8.GetString(record.Line);
        Assert.Contains("\"stage\":\"RequestReceived\"", line, StringComparison.Ordinal);
        Assert.Contains("/v1/namespaces/default/secrets/kept", line, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, line, StringComparison.Ordinal);
        Assert.Contains(line.TrimEnd('\n'), File.ReadAllLines(LogPath));
        Assert.DoesNotContain("flush", calls);
        Assert.Contains(calls, c => c.Contains("RequestReceived", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Contains("ResponseComplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Put_KeptRecords_AreDroppedOnceTheFileIsForcedToDisk()
    {
        await RestartAsync(TimeSpan.FromMilliseconds(50));
        var log = server!.Server.Services.GetRequiredService<AuditLog>();
        var outbox = server.Server.Services.GetRequiredService<IAuditOutbox>();
        for (var i = 0; i < 3; i++)
        {
            await server.PutSecretAsync("default", $"p{i}", new Dictionary<string, string> { ["v"] = "x" });
        }

        await Poll.UntilAsync(async () => (await outbox.ReadAsync(log.LogId, CancellationToken.None)).Count == 0, "the kept audit records were dropped");

        Assert.Contains("flush", sink!.Calls);
        Assert.True(log.SyncedSeq >= log.Count - 1);
    }

    [Fact]
    public async Task Change_SinkCannotFlushToDisk_RefusedUnlessItsRecordIsCommittedWithIt_ThenResumes()
    {
        await RestartAsync(TimeSpan.FromHours(1));
        var log = server!.Server.Services.GetRequiredService<AuditLog>();
        var outbox = server.Server.Services.GetRequiredService<IAuditOutbox>();
        sink!.FlushFails = true;

        // A secret's record is committed with the secret, so a file that cannot be flushed does not hold it back.
        using var put = await server.PutJsonAsync("/v1/namespaces/default/secrets/kept", """{"stringData":{"v":"x"}}""");
        // The background flush fails too: the copies stay, so the record stays durable.
        await Assert.ThrowsAsync<Coffer.Core.Errors.CofferException>(() => log.FlushAsync(CancellationToken.None));
        var keptWhileFailing = (await outbox.ReadAsync(log.LogId, CancellationToken.None)).Count;
        // A token is not a secret: its record can only reach disk through the file.
        using var token = await server.Client.PostAsync("/v1/tokens", new StringContent("""{"ttl":"1h","user":"x"}""", Encoding.UTF8, "application/json"));
        sink.FlushFails = false;
        using var after = await server.Client.PostAsync("/v1/tokens", new StringContent("""{"ttl":"1h","user":"x"}""", Encoding.UTF8, "application/json"));
        var durable = await log.FlushAsync(CancellationToken.None);
        await outbox.PruneAsync(log.LogId, durable - 1, CancellationToken.None);

        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Assert.Equal(1, keptWhileFailing);
        await TestServer.AssertErrorAsync(token, 503, "AuditUnavailable");
        Assert.True(after.IsSuccessStatusCode, await after.Content.ReadAsStringAsync());
        Assert.Empty(await outbox.ReadAsync(log.LogId, CancellationToken.None));
        await StopAsync();
        Assert.True(AuditVerifier.Verify([LogPath], PublicKey).Intact);
    }

    [Fact]
    public async Task Restart_AfterACrashLostTheFilesUnflushedTail_RestoresEveryChangesRecordFromItsCopy()
    {
        await StopAsync();
        var folder = Directory.CreateTempSubdirectory("coffer-audit-crash-").FullName;
        var audit = auditFolder;
        var log = LogPath;
        var keyFile = Path.Combine(folder, "unseal.key");
        CofferServerOptions Options(string? unsealKeyFile) => new()
        {
            Listen = "127.0.0.1:0",
            DataDirectory = Path.Combine(folder, "data"),
            InsecureListen = true,
            UnsealKeyFile = unsealKeyFile,
            AuditDirectory = audit,
            AuditOutboxFlushInterval = TimeSpan.FromHours(1),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };

        var first = await TestServer.StartAsync(_ => Options(null), folder);
        var init = await first.PostJsonAsync("/v1/sys/init", """{"shares":1,"threshold":1}""");
        await first.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = init["keys"]![0]!.GetValue<string>() }.ToJsonString());
        await File.WriteAllTextAsync(keyFile, init["keys"]![0]!.GetValue<string>());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        first.UseToken(init["rootToken"]!.GetValue<string>());
        var durableLength = new FileInfo(log).Length;
        var names = new[] { "c0", "c1", "c2" };
        foreach (var name in names)
        {
            await first.PutSecretAsync("default", name, new Dictionary<string, string> { ["v"] = "x" });
        }

        var requestIds = Lines(log).Where(e => (string?)e["stage"] == "RequestReceived" && ((string?)e["path"])!.Contains("/secrets/", StringComparison.Ordinal))
            .Select(e => (string?)e["requestId"]).ToList();
        first.Client.Dispose();
        await first.Server.DisposeAsync();
        // What a power cut does to a file written but not yet forced to disk: everything after the last flush is gone.
        using (var file = File.OpenHandle(log, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(file, durableLength);
        }

        await using (var second = await TestServer.StartAsync(_ => Options(keyFile), folder))
        {
            second.UseToken(init["rootToken"]!.GetValue<string>());
            var kept = await second.Server.Services.GetRequiredService<IAuditOutbox>()
                .ReadAsync(second.Server.Services.GetRequiredService<AuditLog>().LogId, CancellationToken.None);
            Assert.Empty(kept);
            foreach (var name in names)
            {
                await second.GetSecretAsync("default", name);
            }
        }

        var recovered = Lines(log).Where(e => e["recoveredSeq"] is not null).ToList();
        var result = AuditVerifier.Verify([log], PublicKey);

        Assert.Equal(3, requestIds.Count);
        Assert.Equal(requestIds, recovered.Select(e => (string?)e["requestId"]));
        Assert.All(recovered, e => Assert.Equal("RequestReceived", (string?)e["stage"]));
        Assert.True(result.Intact, result.Problem);
    }

    [Fact]
    public async Task Start_AuditDirectoryInUseByAnotherServer_RefusedUntilThatOneStops()
    {
        var error = await Assert.ThrowsAsync<Coffer.Core.Errors.CofferException>(() =>
            TestServer.StartDevAsync(configure: (_, options) => options with { AuditDirectory = auditFolder }));
        await StopAsync();
        await using var next = await TestServer.StartDevAsync(configure: (_, options) => options with { AuditDirectory = auditFolder });

        Assert.Equal("AuditLogInUse", error.Reason);
        Assert.Contains("--audit-dir", error.Message, StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify([LogPath], PublicKey, open: true).Intact);
    }

    [Fact]
    public async Task DeadSink_RefusesRequestsBeforeActing_ThenResumes()
    {
        sink!.Dead = true;
        using var write = await server!.PutJsonAsync("/v1/namespaces/default/secrets/while-dead", """{"stringData":{"v":"x"}}""");
        using var read = await server.Client.GetAsync("/v1/namespaces/default/secrets");
        sink.Dead = false;
        using var missing = await server.Client.GetAsync("/v1/namespaces/default/secrets/while-dead");
        await server.PutSecretAsync("default", "after", new Dictionary<string, string> { ["v"] = "x" });
        await StopAsync();

        await TestServer.AssertErrorAsync(write, 503, "AuditUnavailable");
        await TestServer.AssertErrorAsync(read, 503, "AuditUnavailable");
        await TestServer.AssertErrorAsync(missing, 404);
        Assert.True(AuditVerifier.Verify([LogPath], PublicKey).Intact);
    }

    [Fact]
    public async Task Restart_ContinuesTheChain()
    {
        await server!.PutSecretAsync("default", "a", new Dictionary<string, string> { ["v"] = "x" });
        var data = server.DataDirectory;
        await StopAsync();
        await using (var again = await TestServer.StartDevAsync(configure: (_, options) => options with { AuditDirectory = auditFolder }))
        {
            await again.PutSecretAsync("default", "b", new Dictionary<string, string> { ["v"] = "y" });
        }

        var result = AuditVerifier.Verify([LogPath], PublicKey);

        Assert.True(result.Intact, result.Problem);
        Assert.Equal(2, Entries().Count(e => (string?)e["kind"] == "checkpoint" && (bool?)e["final"] == true));
        Assert.NotNull(data);
    }

    /// <summary>Replaces the server with one on the same audit folder that forces the file at <paramref name="flushInterval"/>.</summary>
    private async Task RestartAsync(TimeSpan flushInterval)
    {
        await StopAsync();
        server = await TestServer.StartDevAsync(configure: (_, options) => options with
        {
            AuditDirectory = auditFolder,
            AuditSinkWrapper = inner => sink = new SwitchableSink(inner),
            AuditOutboxFlushInterval = flushInterval,
        });
    }

    private async Task StopAsync()
    {
        await server!.DisposeAsync();
        server = null;
    }

    private static List<JsonNode> Lines(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["entry"]!)];

    private List<JsonNode> Entries() =>
        File.ReadAllLines(LogPath).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["entry"]!).ToList();

    /// <summary>Edits line <paramref name="at"/> and recomputes every hash after it, as an attacker without the signing key could.</summary>
    private static List<string> Rechain(List<string> lines, int at)
    {
        var result = new List<string>();
        var previous = AuditChain.Genesis;
        for (var i = 0; i < lines.Count; i++)
        {
            var node = JsonNode.Parse(lines[i])!;
            var entry = node["entry"]!.AsObject();
            entry["prev"] = previous;
            if (i == at)
            {
                entry["status"] = 418;
            }

            var json = entry.ToJsonString();
            previous = AuditChain.Hash(previous, System.Text.Encoding.UTF8.GetBytes(json));
            result.Add($"{{\"entry\":{json},\"hash\":\"{previous}\"}}");
        }

        return result;
    }
}
