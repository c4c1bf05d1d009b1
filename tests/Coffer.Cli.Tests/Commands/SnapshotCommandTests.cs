using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;
using Coffer.Server;
using Microsoft.Extensions.Logging;

namespace Coffer.Cli.Tests.Commands;

/// <summary>
/// The disaster-recovery drill, for real: an initialised production-mode server, a snapshot taken while it runs, restored
/// into a new installation that the original unseal keys open, with every version of every secret byte for byte.
/// </summary>
public sealed class SnapshotCommandTests : CliServerTests, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-snapshot-cli-").FullName;

    private protected override Task<TestServer> StartServerAsync() => TestServer.StartInsecureAsync();

    private string SourceStorage => $"sqlite:{Path.Combine(Server.DataDirectory, "coffer.db")}";

    private async Task<(List<string> Keys, string Token)> InitAsync()
    {
        var init = JsonNode.Parse((await Cli.SucceedAsync("operator", "init", "--shares", "3", "--threshold", "2", "-o", "json")).Output)!;
        var keys = init["keys"]!.AsArray().Select(k => (string)k!).ToList();
        await Cli.SucceedAsync("operator", "unseal", keys[0]);
        await Cli.SucceedAsync("operator", "unseal", keys[1]);
        Cli.Variables["COFFER_TOKEN"] = (string)init["rootToken"]!;
        return (keys, (string)init["rootToken"]!);
    }

    [Fact]
    public async Task SaveRestore_IntoANewInstallation_EveryVersionByteIdenticalUnderTheOriginalKeys()
    {
        var (keys, token) = await InitAsync();
        var written = new Dictionary<(string Name, int Version), byte[]>();
        using var client = new HttpClient { BaseAddress = Server.Server.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        foreach (var name in new[] { "db", "api" })
        {
            for (var version = 1; version <= 3; version++)
            {
                var value = RandomNumberGenerator.GetBytes(48).Concat(Encoding.UTF8.GetBytes($"{name}-canary-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}")).ToArray();
                written[(name, version)] = value;
                using var put = await client.PutAsync($"/v1/namespaces/default/secrets/{name}", new StringContent(new JsonObject { ["data"] = new JsonObject { ["v"] = Convert.ToBase64String(value) } }.ToJsonString(), Encoding.UTF8, "application/json"));
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            }
        }

        var file = Path.Combine(folder, "coffer.snapshot");
        var audit = Path.Combine(Server.DataDirectory, "audit");
        var save = await Cli.SucceedAsync("operator", "snapshot", "save", file, "--storage", SourceStorage, "--audit-dir", audit);
        var restoredData = Path.Combine(folder, "restored");
        Directory.CreateDirectory(restoredData);
        var restore = await Cli.SucceedAsync("operator", "snapshot", "restore", file, "--storage", $"sqlite:{Path.Combine(restoredData, "coffer.db")}");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains("2 secrets, 6 versions", save.Output, StringComparison.Ordinal);
        Assert.Contains("2 secrets, 6 versions", restore.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        // The checkpoint carried in the snapshot vouches for the audit log as it stood: a copy of the log must reach it.
        var checkpoint = file + ".audit-checkpoint.json";
        var verify = await Cli.RunAsync(["audit", "verify", .. Directory.GetFiles(audit, "audit*.log").Order(StringComparer.Ordinal), "--key", Path.Combine(audit, "audit-signing-key.pub.pem"), "--checkpoint", checkpoint, "--open"]);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(0, verify.ExitCode);
        await using var restored = await CofferServer.StartAsync(
            new CofferServerOptions { InsecureListen = true, Listen = "127.0.0.1:0", DataDirectory = restoredData, LogLevel = LogLevel.Warning, LogWriter = TextWriter.Null },
            TextWriter.Null,
            CancellationToken.None);
        using var other = new HttpClient { BaseAddress = restored.Address };
        foreach (var key in keys.Skip(1))
        {
            using var unseal = await other.PostAsync("/v1/sys/unseal", new StringContent(new JsonObject { ["key"] = key }.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(unseal.IsSuccessStatusCode, await unseal.Content.ReadAsStringAsync());
        }

        other.DefaultRequestHeaders.Authorization = new("Bearer", token);
        foreach (var ((name, version), value) in written)
        {
            var body = JsonNode.Parse(await other.GetStringAsync($"/v1/namespaces/default/secrets/{name}?version={version}"))!;
            Assert.Equal(value, Convert.FromBase64String((string)body["data"]!["v"]!));
        }
    }

    [Fact]
    public async Task Restore_CorruptedSnapshot_Exit7AndTheTargetStaysEmpty()
    {
        await InitAsync();
        var file = Path.Combine(folder, "coffer.snapshot");
        await Cli.SucceedAsync("operator", "snapshot", "save", file, "--storage", SourceStorage);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(file, bytes);
        var target = Path.Combine(folder, "target.db");

        var result = await Cli.RunAsync("operator", "snapshot", "restore", file, "--storage", $"sqlite:{target}");
        var again = await Cli.RunAsync("operator", "snapshot", "save", Path.Combine(folder, "of-target"), "--storage", $"sqlite:{target}");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.Matches("corrupted|not JSON", result.Error);
        Assert.Contains("no initialised Coffer installation", again.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "of-target")));
        Assert.False(File.Exists(Path.Combine(folder, "of-target.partial")));
    }

    [Fact]
    public async Task Save_OverAnExistingFile_Exit4AndTheFileUnchanged()
    {
        await InitAsync();
        var file = Path.Combine(folder, "exists");
        await File.WriteAllTextAsync(file, "keep me");

        var result = await Cli.RunAsync("operator", "snapshot", "save", file, "--storage", SourceStorage);

        Assert.Equal(CliExitCode.Conflict, result.ExitCode);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("snapshot", "save", "x", "--storage", "mysql://db")]
    [InlineData("snapshot", "restore", "x")]
    [InlineData("migrate-storage", "--from", "sqlite:/nope.db")]
    [InlineData("migrate-storage", "--from", "oracle:x", "--to", "sqlite:/tmp/x.db")]
    public async Task BadArguments_UsageOrNotFound(params string[] args)
    {
        var result = await Cli.RunAsync(["operator", .. args]);

        Assert.Contains(result.ExitCode, new[] { CliExitCode.Usage, CliExitCode.NotFound });
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateStorage_SqliteToSqlite_CopiedAndVerified()
    {
        await InitAsync();
        await Cli.SucceedAsync("secret", "put", "db", "--from-literal", "k=v");
        var target = Path.Combine(folder, "moved.db");

        var result = await Cli.SucceedAsync("operator", "migrate-storage", "--from", SourceStorage, "--to", $"sqlite:{target}");

        Assert.Contains("copied and verified 1 secrets, 1 versions", result.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
