using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Coffer.Kubernetes.Kms;

/// <summary>A running KMS v2 plugin: Kestrel serving gRPC over HTTP/2 on a unix socket.</summary>
public sealed class KmsPlugin : IAsyncDisposable
{
    private readonly WebApplication app;

    private KmsPlugin(WebApplication app, string socketPath)
    {
        this.app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Takes a path or a unix:// address; a stale socket file from an earlier run is replaced.</summary>
    public static async Task<KmsPlugin> StartAsync(string listen, IKmsBackend backend, LogLevel logLevel, CancellationToken cancellationToken)
    {
        var socketPath = SocketPathOf(listen);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(backend);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 64 * 1024;
            o.EnableDetailedErrors = false;
        });
        var app = builder.Build();
        app.MapGrpcService<KeyManagementGrpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // Only the apiserver (same user, usually root) should talk to the socket.
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        KmsLog.Listening(app.Services.GetRequiredService<ILogger<KmsPlugin>>(), socketPath);
        return new KmsPlugin(app, socketPath);
    }

    public static string SocketPathOf(string listen)
    {
        var path = listen.StartsWith("unix://", StringComparison.Ordinal) ? listen["unix://".Length..] : listen;
        if (path.Length == 0 || !Path.IsPathRooted(path))
        {
            throw new ArgumentException($"the KMS plugin listens on an absolute unix socket path (unix:///path/kms.sock), not '{listen}'", nameof(listen));
        }

        return path;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }
    }
}
