namespace Coffer.Cli.Tests.Hosting;

/// <summary>Each test gets its own real server (dev mode unless a class says otherwise) and a CLI session pointed at it.</summary>
public abstract class CliServerTests : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;

    internal CliSession Cli { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync();
        Cli = new CliSession(Server);
    }

    public async Task DisposeAsync()
    {
        Cli.Dispose();
        await Server.DisposeAsync();
    }

    private protected virtual Task<TestServer> StartServerAsync() => TestServer.StartDevAsync();
}
