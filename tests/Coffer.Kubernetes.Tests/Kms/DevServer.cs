using Coffer.Server;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Tests.Kms;

/// <summary>A real Coffer dev server on 127.0.0.1 with a free port, data in a temporary folder.</summary>
internal sealed class DevServer : IAsyncDisposable
{
    private readonly string folder;
    private bool stopped;

    private DevServer(RunningServer server, string folder, string rootToken)
    {
        Server = server;
        this.folder = folder;
        RootToken = rootToken;
        Client = new HttpClient { BaseAddress = server.Address };
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", rootToken);
    }

    public RunningServer Server { get; }

    public string RootToken { get; }

    public HttpClient Client { get; }

    public static async Task<DevServer> StartAsync(TimeProvider? time = null, Func<string, CofferServerOptions, CofferServerOptions>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-kms-server-").FullName;
        var output = new StringWriter();
        var options = new CofferServerOptions { Dev = true, Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "data"), LogLevel = LogLevel.Warning, Audit = false, TimeProvider = time ?? TimeProvider.System };
        var server = await CofferServer.StartAsync(configure is null ? options : configure(folder, options), output, CancellationToken.None);
        var line = output.ToString().Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal));
        return new DevServer(server, folder, line["Root token: ".Length..].Trim());
    }

    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await Server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        Directory.Delete(folder, recursive: true);
    }
}
