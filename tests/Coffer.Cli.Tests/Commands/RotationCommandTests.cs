using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

public sealed class RotationCommandTests : CliServerTests
{
    [Fact]
    public async Task SetThenRotate_NewVersionCurrent_StatusListsEverySecret()
    {
        await Cli.SucceedAsync("secret", "put", "api-key", "--from-literal", "token=old");
        await Cli.SucceedAsync("secret", "put", "other", "--from-literal", "k=v");
        var policy = Cli.TempFile("policy.json", """{"period":"30d","rotator":"generate","generate":[{"kind":"bytes","key":"token","bytes":24,"encoding":"hex"}]}""");

        var set = await Cli.SucceedAsync("rotation", "set", "default/api-key", "-f", policy);
        var rotated = await Cli.SucceedAsync("rotate", "default/api-key");
        var status = await Cli.SucceedAsync("rotation", "status", "-o", "json");
        var shown = await Cli.SucceedAsync("rotation", "show", "api-key", "-o", "json");

        Assert.StartsWith("rotation policy of default/api-key set: every 30d", set.Output, StringComparison.Ordinal);
        Assert.Equal("secret/default/api-key rotated: version 2 is current (previous 1)\n", rotated.Output);
        var items = JsonNode.Parse(status.Output)!["items"]!.AsArray();
        Assert.Equal(["api-key", "other"], items.Select(i => (string)i!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal("Finished", (string?)JsonNode.Parse(shown.Output)!["status"]);
        var value = (string)JsonNode.Parse((await Cli.SucceedAsync("secret", "get", "api-key", "-o", "json")).Output)!["data"]!["token"]!;
        Assert.NotEqual(Convert.ToBase64String("old"u8.ToArray()), value);
        Assert.NotEqual("old", value);
    }

    [Fact]
    public async Task Rotate_WithoutPolicy_FailsWithTheServerReason()
    {
        await Cli.SucceedAsync("secret", "put", "plain", "--from-literal", "k=v");
        var result = await Cli.RunAsync("rotate", "default/plain");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no rotation policy", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rotate", "a/b/c")]
    [InlineData("rotate", "/x")]
    [InlineData("creds", "revoke")]
    [InlineData("creds", "renew", "not-a-lease")]
    public async Task BadTargets_AreUsageErrors(params string[] args)
    {
        var result = await Cli.RunAsync(args);
        Assert.Equal(CliExitCode.Usage, result.ExitCode);
    }

    [Fact]
    public async Task CredsGet_UnknownRole_IsNotFound()
    {
        var result = await Cli.RunAsync("creds", "get", "default/readonly");
        Assert.Equal(CliExitCode.ForHttpStatus(404), result.ExitCode);
        Assert.Contains("database role default/readonly not found", result.Error, StringComparison.Ordinal);
    }
}
