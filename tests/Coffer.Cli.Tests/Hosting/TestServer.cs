using Coffer.Server;
using Microsoft.Extensions.Logging;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port and its data in a temporary folder.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly string folder;
    private readonly StringWriter? logs;

    private TestServer(RunningServer server, string folder, string? rootToken, StringWriter? logs)
    {
        this.logs = logs;
        Server = server;
        this.folder = folder;
        RootToken = rootToken;
    }

    public RunningServer Server { get; }

    public string Address => Server.Address.ToString().TrimEnd('/');

    public string DataDirectory => Path.Combine(folder, "data");

    /// <summary>The dev server's root token; null for a production-mode server until it is initialised.</summary>
    public string? RootToken { get; }

    public static async Task<TestServer> StartDevAsync(Func<string, CofferServerOptions, CofferServerOptions>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-cli-test-").FullName;
        var output = new StringWriter();
        var logs = Coffer.Tests.Shared.LeakScanArtifacts.NewLogWriter();
        var options = new CofferServerOptions { Dev = true, Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "data"), LogLevel = LogLevel.Warning, LogWriter = logs };
        var server = await StartAsync(
            configure is null ? options : configure(folder, options),
            output,
            folder).ConfigureAwait(false);
        var line = output.ToString().Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal));
        return new TestServer(server, folder, line["Root token: ".Length..].Trim(), logs);
    }

    /// <summary>A production-mode server (plain HTTP on loopback), uninitialised and sealed.</summary>
    public static async Task<TestServer> StartInsecureAsync()
    {
        var folder = Directory.CreateTempSubdirectory("coffer-cli-test-").FullName;
        var logs = Coffer.Tests.Shared.LeakScanArtifacts.NewLogWriter();
        var server = await StartAsync(
            new CofferServerOptions { InsecureListen = true, Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "data"), LogLevel = LogLevel.Warning, LogWriter = logs },
            TextWriter.Null,
            folder).ConfigureAwait(false);
        return new TestServer(server, folder, null, logs);
    }

    public async ValueTask DisposeAsync()
    {
        var metrics = await Coffer.Tests.Shared.LeakScanArtifacts.ScrapeMetricsAsync(Server.Address, RootToken).ConfigureAwait(false);
        await Server.DisposeAsync().ConfigureAwait(false);
        Coffer.Tests.Shared.LeakScanArtifacts.Keep(folder, logs, metrics);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<RunningServer> StartAsync(CofferServerOptions options, TextWriter output, string folder)
    {
        try
        {
            return await CofferServer.StartAsync(options, output, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }
}
