using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>Operator commands against a production-mode (not dev) server that starts uninitialised.</summary>
public sealed class OperatorCommandTests : IAsyncLifetime
{
    private TestServer server = null!;
    private CliSession cli = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartInsecureAsync();
        cli = new CliSession(server);
    }

    public async Task DisposeAsync()
    {
        cli.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task InitUnsealStatusSeal_FullCycle()
    {
        var before = JsonNode.Parse((await cli.SucceedAsync("operator", "status", "-o", "json")).Output)!;
        var init = await cli.SucceedAsync("operator", "init", "--shares", "3", "--threshold", "2");
        var keys = init.Output.Split('\n').Where(l => l.StartsWith("Unseal key ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToList();
        var token = init.Output.Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal))["Root token: ".Length..];
        cli.Variables["COFFER_TOKEN"] = token;

        var sealedWrite = await cli.RunAsync("secret", "put", "x", "--from-literal", "k=v");
        var first = await cli.SucceedAsync("operator", "unseal", keys[2]);
        var second = await cli.RunWithInputAsync(keys[0] + "\n", "operator", "unseal");
        var status = await cli.SucceedAsync("operator", "status");
        await cli.SucceedAsync("secret", "put", "x", "--from-literal", "k=v");
        var seal = await cli.SucceedAsync("operator", "seal", "-o", "json");
        var afterSeal = await cli.RunAsync("secret", "get", "x");

        Assert.False((bool)before["initialized"]!);
        Assert.Equal(3, keys.Count);
        Assert.Contains("2 of them unseal it", init.Output, StringComparison.Ordinal);
        Assert.Equal(CliExitCode.Unavailable, sealedWrite.ExitCode);
        Assert.Equal("Unseal progress: 1/2\n", first.Output);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("Unsealed.\n", second.Output);
        Assert.StartsWith("Initialized       true\n", status.Output, StringComparison.Ordinal);
        Assert.Contains("Sealed            false", status.Output, StringComparison.Ordinal);
        Assert.Contains("Initialized       true", status.Output, StringComparison.Ordinal);
        Assert.True((bool)JsonNode.Parse(seal.Output)!["sealed"]!);
        Assert.Equal(CliExitCode.Unavailable, afterSeal.ExitCode);
    }

    [Fact]
    public async Task Init_OutputJson_HasKeysAndToken_SecondInitExit4()
    {
        var init = JsonNode.Parse((await cli.SucceedAsync("operator", "init", "-o", "json")).Output)!;

        var again = await cli.RunAsync("operator", "init");

        Assert.Equal(5, init["keys"]!.AsArray().Count);
        Assert.Equal(3, (int)init["threshold"]!);
        Assert.False(string.IsNullOrEmpty((string?)init["rootToken"]));
        Assert.Equal(CliExitCode.Conflict, again.ExitCode);
    }

    [Fact]
    public async Task Init_ThresholdAboveShares_Exit7AndStillUninitialised()
    {
        var result = await cli.RunAsync("operator", "init", "--shares", "2", "--threshold", "3");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.False((bool)JsonNode.Parse((await cli.SucceedAsync("operator", "status", "-o", "json")).Output)!["initialized"]!);
    }

    [Fact]
    public async Task Unseal_NoShareAndTerminalStdin_Exit2()
    {
        await cli.SucceedAsync("operator", "init");

        var result = await cli.RunAsync("operator", "unseal");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("standard input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_BadShare_Exit7AndProgressUnchanged()
    {
        await cli.SucceedAsync("operator", "init");

        var result = await cli.RunAsync("operator", "unseal", "not-a-share");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.Equal(0, (int)JsonNode.Parse((await cli.SucceedAsync("operator", "status", "-o", "json")).Output)!["progress"]!);
    }

    [Fact]
    public async Task RotateThenRewrapWait_EverythingMovesToNewKey()
    {
        await InitAndUnsealAsync();
        for (var i = 0; i < 30; i++)
        {
            await cli.SucceedAsync("secret", "put", $"s{i}", "--from-literal", $"k=v{i}");
        }

        var rotate = JsonNode.Parse((await cli.SucceedAsync("operator", "rotate", "-o", "json")).Output)!;
        var rotateTable = await cli.SucceedAsync("operator", "rotate");
        var rewrap = await cli.SucceedAsync("operator", "rewrap", "--wait");
        var lines = rewrap.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var after = JsonNode.Parse((await cli.SucceedAsync("operator", "rewrap", "--wait", "-o", "json")).Output)!;

        Assert.Equal(2, (int)rotate["currentKeyId"]!);
        Assert.Equal(30, (long)rotate["rewrap"]!["remaining"]!);
        Assert.Contains("current key 3", rotateTable.Output, StringComparison.Ordinal);
        Assert.Equal("rewrap started: 30 to rewrap", lines[0]);
        Assert.All(lines[1..^1], l => Assert.Matches("^rewrap: [0-9]+ done, [0-9]+ remaining$", l));
        Assert.Equal("rewrap finished: 30 done, 0 remaining; retired keys: 1, 2", lines[^1]);
        Assert.Equal(3, (int)after["currentKeyId"]!);
        Assert.Equal(0, (long)after["rewrap"]!["remaining"]!);
        Assert.False((bool)after["rewrap"]!["running"]!);
        Assert.Equal("v7", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)JsonNode.Parse((await cli.SucceedAsync("secret", "get", "s7", "-o", "json")).Output)!["data"]!["k"]!)));
    }

    [Fact]
    public async Task Rotate_WithoutToken_Exit5()
    {
        await InitAndUnsealAsync();
        cli.Variables.Remove("COFFER_TOKEN");

        var result = await cli.RunAsync("operator", "rotate");

        Assert.Equal(CliExitCode.Unauthorized, result.ExitCode);
    }

    private async Task InitAndUnsealAsync()
    {
        var init = JsonNode.Parse((await cli.SucceedAsync("operator", "init", "--shares", "1", "--threshold", "1", "-o", "json")).Output)!;
        cli.Variables["COFFER_TOKEN"] = (string)init["rootToken"]!;
        await cli.SucceedAsync("operator", "unseal", (string)init["keys"]![0]!);
    }
}
