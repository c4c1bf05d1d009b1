using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

public sealed class LoginCommandTests : IAsyncLifetime
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private TestServer server = null!;
    private CliSession cli = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync();
        cli = new CliSession();
    }

    public async Task DisposeAsync()
    {
        cli.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Login_ValidToken_WritesConfig0600_LaterCommandsUseIt()
    {
        var login = await cli.SucceedAsync("login", "--address", server.Address, "--token", server.RootToken!);
        var put = await cli.RunAsync("secret", "put", "after-login", "--from-literal", "k=v");

        Assert.Contains("Logged in to", login.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(server.RootToken!, login.Output, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(cli.DefaultConfigPath));
        var config = JsonNode.Parse(File.ReadAllText(cli.DefaultConfigPath))!;
        Assert.Equal(server.Address, (string?)config["address"]);
        Assert.Equal(server.RootToken, (string?)config["token"]);
        Assert.Equal(0, put.ExitCode);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(cli.DefaultConfigPath)!, "*.tmp"));
    }

    [Fact]
    public async Task Login_TokenFromStdin_Accepted()
    {
        cli.Variables["COFFER_ADDR"] = server.Address;

        var login = await cli.RunWithInputAsync(server.RootToken + "\n", "login");

        Assert.Equal(0, login.ExitCode);
        Assert.Equal(server.RootToken, (string?)JsonNode.Parse(File.ReadAllText(cli.DefaultConfigPath))!["token"]);
    }

    [Fact]
    public async Task Login_OverLooseExistingFile_ResultIsOwnerOnly()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cli.DefaultConfigPath)!);
        File.WriteAllText(cli.DefaultConfigPath, "{}");
        File.SetUnixFileMode(cli.DefaultConfigPath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await cli.SucceedAsync("login", "--address", server.Address, "--token", server.RootToken!);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(cli.DefaultConfigPath));
    }

    [Fact]
    public async Task Login_BadToken_Exit5AndNoConfigWritten()
    {
        var login = await cli.RunAsync("login", "--address", server.Address, "--token", "wrong");

        Assert.Equal(CliExitCode.Unauthorized, login.ExitCode);
        Assert.False(File.Exists(cli.DefaultConfigPath));
    }

    [Fact]
    public async Task Login_NoTokenAndTerminalStdin_Exit2()
    {
        var login = await cli.RunAsync("login", "--address", server.Address);

        Assert.Equal(CliExitCode.Usage, login.ExitCode);
        Assert.False(File.Exists(cli.DefaultConfigPath));
    }

    [Fact]
    public async Task Login_CofferConfigVariable_WritesThere()
    {
        var path = Path.Combine(cli.Home, "custom", "coffer.json");
        cli.Variables["COFFER_CONFIG"] = path;

        await cli.SucceedAsync("login", "--address", server.Address, "--token", server.RootToken!);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.False(File.Exists(cli.DefaultConfigPath));
    }

    [Fact]
    public async Task Login_XdgConfigHome_WritesUnderIt()
    {
        var xdg = Path.Combine(cli.Home, "xdg");
        cli.Variables["XDG_CONFIG_HOME"] = xdg;

        await cli.SucceedAsync("login", "--address", server.Address, "--token", server.RootToken!);

        Assert.True(File.Exists(Path.Combine(xdg, "coffer", "config")));
    }

    [Fact]
    public async Task EnvToken_BeatsConfigToken()
    {
        await cli.SucceedAsync("login", "--address", server.Address, "--token", server.RootToken!);

        cli.Variables["COFFER_TOKEN"] = "wrong-from-env";
        var withBadEnv = await cli.RunAsync("secret", "list");
        var flagBeatsEnv = await cli.RunAsync("secret", "list", "--token", server.RootToken!);

        Assert.Equal(CliExitCode.Unauthorized, withBadEnv.ExitCode);
        Assert.Equal(0, flagBeatsEnv.ExitCode);
    }

    [Fact]
    public async Task EnvAddress_BeatsConfigAddress()
    {
        await using var other = await TestServer.StartDevAsync();
        await cli.SucceedAsync("login", "--address", other.Address, "--token", other.RootToken!);
        cli.Variables["COFFER_ADDR"] = server.Address;
        cli.Variables["COFFER_TOKEN"] = server.RootToken!;

        await cli.SucceedAsync("secret", "put", "where", "--from-literal", "k=v");
        cli.Variables.Remove("COFFER_ADDR");
        cli.Variables.Remove("COFFER_TOKEN");
        var onConfigServer = await cli.RunAsync("secret", "get", "where");

        Assert.Equal(CliExitCode.NotFound, onConfigServer.ExitCode);
    }

    [Fact]
    public void Resolve_NoFlagsEnvOrConfig_DefaultAddressFromServerOptions()
    {
        var environment = new CliEnvironment { Variables = cli.Variables, HomeDirectory = cli.Home };

        var settings = Client.ConnectionSettings.Resolve(null, null, environment);

        Assert.Equal(new Uri("http://" + Server.CofferServerOptions.DefaultListen), settings.Address);
        Assert.Null(settings.Token);
    }

    [Fact]
    public async Task CorruptConfig_Exit1WithoutQuotingIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cli.DefaultConfigPath)!);
        File.WriteAllText(cli.DefaultConfigPath, "{\"token\": \"leaky-token");

        var result = await cli.RunAsync("secret", "list");

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Contains("not valid JSON", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("leaky-token", result.Error, StringComparison.Ordinal);
    }
}
