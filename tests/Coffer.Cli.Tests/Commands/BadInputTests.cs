using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>Every malformed input is a clear error with a non-zero exit, and nothing is written.</summary>
public sealed class BadInputTests : CliServerTests
{
    [Fact]
    public async Task Put_LiteralWithoutEquals_Exit2NamesOptionNotValue()
    {
        var result = await Cli.RunAsync("secret", "put", "bad", "--from-literal", "ok=1", "--from-literal", "hunter2");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Equal("error: --from-literal expects KEY=VALUE, but its value number 2 has no '='\n", result.Error);
        Assert.DoesNotContain("hunter2", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_MissingFile_Exit2AndNothingWritten()
    {
        var missing = Path.Combine(Cli.Home, "nope.txt");

        var result = await Cli.RunAsync("secret", "put", "bad", "--from-literal", "a=1", "--from-file", missing);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Equal($"error: --from-file: file {missing} does not exist\n", result.Error);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_EnvFileBadLine_Exit2NamesLineNotValue()
    {
        var envFile = Cli.TempFile("bad.env", "GOOD=1\n# fine\nthis-line-is-a-secret-value\n");

        var result = await Cli.RunAsync("secret", "put", "bad", "--from-env-file", envFile);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Equal($"error: --from-env-file {envFile}: line 3 is not KEY=VALUE\n", result.Error);
        Assert.DoesNotContain("secret-value", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_InvalidOutputValue_Exit2AndNothingWritten()
    {
        var result = await Cli.RunAsync("secret", "put", "bad", "--from-literal", "a=1", "-o", "xml");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("xml", result.Error, StringComparison.Ordinal);
        Assert.Contains("table", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_DuplicateKeyAcrossSources_Exit2()
    {
        var file = Cli.TempFile("a", "from-file");

        var result = await Cli.RunAsync("secret", "put", "bad", "--from-literal", "a=1", "--from-file", file);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("key 'a' is given more than once", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_NoValuesAndTerminalStdin_Exit2()
    {
        var result = await Cli.RunAsync("secret", "put", "bad");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("no values given", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_UnknownPositional_Exit2()
    {
        var result = await Cli.RunAsync("secret", "put", "bad", "value-by-mistake");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.DoesNotContain("value-by-mistake", result.Error, StringComparison.Ordinal);
        Assert.Contains("--from-literal", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Fact]
    public async Task Put_ServerRejectsName_Exit7WithServerMessage()
    {
        var result = await Cli.RunAsync("secret", "put", "Bad_Name", "--from-literal", "a=1");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("DNS-1123", result.Error, StringComparison.Ordinal);
        var list = JsonNode.Parse((await Cli.SucceedAsync("secret", "list", "-o", "json")).Output)!;
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Put_ServerRejectsKey_Exit7AndValueNotEchoed()
    {
        var result = await Cli.RunAsync("secret", "put", "bad", "--from-literal", "bad key=hunter2");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.DoesNotContain("hunter2", result.Error, StringComparison.Ordinal);
        await AssertAbsentAsync("bad");
    }

    [Theory]
    [InlineData("secret", "frobnicate")]
    [InlineData("secret", "get")]
    [InlineData("secret", "get", "x", "--bogus")]
    [InlineData("secret", "rollback", "x", "notanumber")]
    [InlineData("operator", "init", "--shares", "many")]
    [InlineData("secret")]
    public async Task UsageErrors_Exit2WithHint(params string[] args)
    {
        var result = await Cli.RunAsync(args);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Exit0()
    {
        var result = await Cli.RunAsync("secret", "put", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--from-literal", result.Output, StringComparison.Ordinal);
    }

    private async Task AssertAbsentAsync(string name)
    {
        var get = await Cli.RunAsync("secret", "get", name);
        Assert.True(get.ExitCode == CliExitCode.NotFound, $"expected {name} to be absent: {get}");
    }
}
