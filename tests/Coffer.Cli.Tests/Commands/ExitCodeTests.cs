using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>Each documented exit code, with the server's message on stderr.</summary>
public sealed class ExitCodeTests : CliServerTests
{
    [Fact]
    public async Task Get_Missing_Exit3WithServerMessage()
    {
        var result = await Cli.RunAsync("secret", "get", "missing");

        Assert.Equal(CliExitCode.NotFound, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("missing", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Put_CreateOnlyWhenExists_Exit4()
    {
        await Cli.SucceedAsync("secret", "put", "exists", "--from-literal", "k=v");

        var result = await Cli.RunAsync("secret", "put", "exists", "--from-literal", "k=w", "--expect-version", "0");

        Assert.Equal(CliExitCode.Conflict, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_Exit5()
    {
        Cli.Variables["COFFER_TOKEN"] = "not-a-real-token";

        var result = await Cli.RunAsync("secret", "list");

        Assert.Equal(CliExitCode.Unauthorized, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_Exit5()
    {
        Cli.Variables.Remove("COFFER_TOKEN");

        var result = await Cli.RunAsync("secret", "get", "x");

        Assert.Equal(CliExitCode.Unauthorized, result.ExitCode);
    }

    [Fact]
    public async Task Sealed_Exit6WithServerMessage()
    {
        await Cli.SucceedAsync("operator", "seal");

        var result = await Cli.RunAsync("secret", "list");

        Assert.Equal(CliExitCode.Unavailable, result.ExitCode);
        Assert.Contains("sealed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_Exit6()
    {
        var address = Server.Address;
        await Server.Server.DisposeAsync();

        var result = await Cli.RunAsync("secret", "list", "--address", address);

        Assert.Equal(CliExitCode.Unavailable, result.ExitCode);
        Assert.Contains($"cannot reach Coffer at {address}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequest_Exit7()
    {
        var result = await Cli.RunAsync("secret", "put", "x", "--from-literal", "k=v", "--max-versions", "0");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadAddress_Exit2()
    {
        var result = await Cli.RunAsync("secret", "list", "--address", "ftp://example");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("http://", result.Error, StringComparison.Ordinal);
    }
}
