using Coffer.Storage;

namespace Coffer.Server;

/// <summary>A started server: its address, and how to stop it (removing a dev mode temporary folder).</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly StorageBackend storage;
    private readonly string? temporaryData;

    internal RunningServer(WebApplication app, StorageBackend storage, Uri address, string? temporaryData)
    {
        this.app = app;
        this.storage = storage;
        this.temporaryData = temporaryData;
        Address = address;
    }

    public Uri Address { get; }

    internal IServiceProvider Services => app.Services;

    /// <summary>Completes when the host is told to stop (SIGTERM, Ctrl+C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        await storage.DisposeAsync().ConfigureAwait(false);
        if (temporaryData is not null && Directory.Exists(temporaryData))
        {
            Directory.Delete(temporaryData, recursive: true);
        }
    }
}
