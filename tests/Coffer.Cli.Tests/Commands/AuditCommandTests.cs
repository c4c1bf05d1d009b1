using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary><c>coffer audit verify</c> and <c>audit checkpoint</c> against a live server's log.</summary>
public sealed class AuditCommandTests : CliServerTests, IDisposable
{
    private readonly string auditFolder = Directory.CreateTempSubdirectory("coffer-cli-audit-").FullName;

    private string LogPath => Path.Combine(auditFolder, "audit.log");

    private string KeyPath => Path.Combine(auditFolder, "audit-signing-key.pub.pem");

    public void Dispose() => Directory.Delete(auditFolder, recursive: true);

    [Fact]
    public async Task Verify_IntactLog_Exit0_TamperedCopy_Exit1NamingTheLine()
    {
        await Cli.SucceedAsync("secret", "put", "db", "--from-literal", "password=hunter2");
        await Cli.SucceedAsync("secret", "get", "db");
        var checkpoint = Path.Combine(auditFolder, "kept.json");
        var saved = await Cli.SucceedAsync("audit", "checkpoint", "--out", checkpoint);

        var intact = await Cli.RunAsync("audit", "verify", LogPath, "--key", KeyPath, "--open", "--checkpoint", checkpoint);
        var lines = File.ReadAllLines(LogPath);
        lines[1] = lines[1].Replace("\"method\":\"PUT\"", "\"method\":\"GET\"", StringComparison.Ordinal);
        var copy = Path.Combine(auditFolder, "edited.log");
        File.WriteAllLines(copy, lines);
        var tampered = await Cli.RunAsync("audit", "verify", copy, "--key", KeyPath, "--open");
        var notClosed = await Cli.RunAsync("audit", "verify", LogPath, "--key", KeyPath);

        Assert.Contains("checkpoint of", saved.Output, StringComparison.Ordinal);
        Assert.Equal(0, intact.ExitCode);
        Assert.StartsWith("intact:", intact.Output, StringComparison.Ordinal);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains($"{copy}:2:", tampered.Output, StringComparison.Ordinal);
        Assert.Equal(1, notClosed.ExitCode);
        Assert.DoesNotContain("hunter2", File.ReadAllText(LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_ValueAsArgumentOrOnStdin_PrintsTheSameAuditHmac()
    {
        var argument = await Cli.SucceedAsync("audit", "hash", "hunter2");
        var piped = await Cli.RunWithInputAsync("hunter2\n", "audit", "hash");
        var other = await Cli.SucceedAsync("audit", "hash", "hunter3");

        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", argument.Output.Trim());
        Assert.Equal(0, piped.ExitCode);
        Assert.Equal(argument.Output, piped.Output);
        Assert.NotEqual(argument.Output, other.Output);
    }

    [Fact]
    public async Task Search_ByUserSecretAndDecision_FindsTheRequests()
    {
        await Cli.SucceedAsync("secret", "put", "db", "--from-literal", "password=hunter2");
        await Cli.SucceedAsync("secret", "put", "other", "--from-literal", "k=v");
        await Cli.SucceedAsync("secret", "get", "db");
        var token = System.Text.Json.Nodes.JsonNode.Parse((await Cli.SucceedAsync("token", "create", "--ttl", "1h", "--user", "mallory", "-o", "json")).Output)!["token"]!.ToString();
        await Cli.RunAsync("secret", "get", "db", "--token", token);

        var aboutDb = System.Text.Json.Nodes.JsonNode.Parse((await Cli.SucceedAsync("audit", "search", LogPath, "--secret", "db", "-o", "json")).Output)!.AsArray();
        var denied = await Cli.SucceedAsync("audit", "search", LogPath, "--decision", "deny");
        var mallory = System.Text.Json.Nodes.JsonNode.Parse((await Cli.SucceedAsync("audit", "search", LogPath, "--user", "mallory", "-o", "json")).Output)!.AsArray();
        var future = System.Text.Json.Nodes.JsonNode.Parse((await Cli.SucceedAsync("audit", "search", LogPath, "--since", "2999-01-01T00:00:00Z", "-o", "json")).Output)!.AsArray();

        Assert.Equal(3, aboutDb.Count);
        Assert.Contains("mallory", denied.Output, StringComparison.Ordinal);
        Assert.Single(mallory);
        Assert.Equal(403, (int)mallory[0]!["status"]!);
        Assert.Empty(future);
    }

    private protected override Task<TestServer> StartServerAsync() =>
        TestServer.StartDevAsync((_, options) => options with { AuditDirectory = auditFolder });
}
