using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>Operator commands against a production-mode (not dev) server that starts uninitialised.</summary>
public sealed class OperatorCommandTests : CliServerTests
{
    private protected override Task<TestServer> StartServerAsync() => TestServer.StartInsecureAsync();

    [Fact]
    public async Task InitUnsealStatusSeal_FullCycle()
    {
        var before = JsonNode.Parse((await Cli.SucceedAsync("operator", "status", "-o", "json")).Output)!;
        var init = await Cli.SucceedAsync("operator", "init", "--shares", "3", "--threshold", "2");
        var keys = init.Output.Split('\n').Where(l => l.StartsWith("Unseal key ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToList();
        var token = init.Output.Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal))["Root token: ".Length..];
        Cli.Variables["COFFER_TOKEN"] = token;

        var sealedWrite = await Cli.RunAsync("secret", "put", "x", "--from-literal", "k=v");
        var first = await Cli.SucceedAsync("operator", "unseal", keys[2]);
        var second = await Cli.RunWithInputAsync(keys[0] + "\n", "operator", "unseal");
        var status = await Cli.SucceedAsync("operator", "status");
        await Cli.SucceedAsync("secret", "put", "x", "--from-literal", "k=v");
        var seal = await Cli.SucceedAsync("operator", "seal", "-o", "json");
        var afterSeal = await Cli.RunAsync("secret", "get", "x");

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
        var init = JsonNode.Parse((await Cli.SucceedAsync("operator", "init", "-o", "json")).Output)!;

        var again = await Cli.RunAsync("operator", "init");

        Assert.Equal(5, init["keys"]!.AsArray().Count);
        Assert.Equal(3, (int)init["threshold"]!);
        Assert.False(string.IsNullOrEmpty((string?)init["rootToken"]));
        Assert.Equal(CliExitCode.Conflict, again.ExitCode);
    }

    [Fact]
    public async Task Init_ThresholdAboveShares_Exit7AndStillUninitialised()
    {
        var result = await Cli.RunAsync("operator", "init", "--shares", "2", "--threshold", "3");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.False((bool)JsonNode.Parse((await Cli.SucceedAsync("operator", "status", "-o", "json")).Output)!["initialized"]!);
    }

    [Fact]
    public async Task Unseal_NoShareAndTerminalStdin_Exit2()
    {
        await Cli.SucceedAsync("operator", "init");

        var result = await Cli.RunAsync("operator", "unseal");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("standard input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_BadShare_Exit7AndProgressUnchanged()
    {
        await Cli.SucceedAsync("operator", "init");

        var result = await Cli.RunAsync("operator", "unseal", "not-a-share");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.Equal(0, (int)JsonNode.Parse((await Cli.SucceedAsync("operator", "status", "-o", "json")).Output)!["progress"]!);
    }

    [Fact]
    public async Task RotateThenRewrapWait_EverythingMovesToNewKey()
    {
        await InitAndUnsealAsync();
        for (var i = 0; i < 30; i++)
        {
            await Cli.SucceedAsync("secret", "put", $"s{i}", "--from-literal", $"k=v{i}");
        }

        var rotate = JsonNode.Parse((await Cli.SucceedAsync("operator", "rotate", "-o", "json")).Output)!;
        var rotateTable = await Cli.SucceedAsync("operator", "rotate");
        var rewrap = await Cli.SucceedAsync("operator", "rewrap", "--wait");
        var lines = rewrap.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var after = JsonNode.Parse((await Cli.SucceedAsync("operator", "rewrap", "--wait", "-o", "json")).Output)!;

        Assert.Equal(2, (int)rotate["currentKeyId"]!);
        Assert.Equal(30, (long)rotate["rewrap"]!["remaining"]!);
        Assert.Contains("current key 3", rotateTable.Output, StringComparison.Ordinal);
        Assert.Equal("rewrap started: 30 to rewrap", lines[0]);
        Assert.All(lines[1..^1], l => Assert.Matches("^rewrap: [0-9]+ done, [0-9]+ remaining$", l));
        Assert.Equal("rewrap finished: 30 done, 0 remaining; retired keys: 1, 2", lines[^1]);
        Assert.Equal(3, (int)after["currentKeyId"]!);
        Assert.Equal(0, (long)after["rewrap"]!["remaining"]!);
        Assert.False((bool)after["rewrap"]!["running"]!);
        Assert.Equal("v7", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)JsonNode.Parse((await Cli.SucceedAsync("secret", "get", "s7", "-o", "json")).Output)!["data"]!["k"]!)));
    }

    [Fact]
    public async Task Rotate_WithoutToken_Exit5()
    {
        await InitAndUnsealAsync();
        Cli.Variables.Remove("COFFER_TOKEN");

        var result = await Cli.RunAsync("operator", "rotate");

        Assert.Equal(CliExitCode.Unauthorized, result.ExitCode);
    }

    private async Task InitAndUnsealAsync()
    {
        var init = JsonNode.Parse((await Cli.SucceedAsync("operator", "init", "--shares", "1", "--threshold", "1", "-o", "json")).Output)!;
        Cli.Variables["COFFER_TOKEN"] = (string)init["rootToken"]!;
        await Cli.SucceedAsync("operator", "unseal", (string)init["keys"]![0]!);
    }
}
