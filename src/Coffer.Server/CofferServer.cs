using System.Security.Cryptography.X509Certificates;
using Coffer.Core.Errors;
using Coffer.Server.Access;
using Coffer.Server.Alerts;
using Coffer.Server.Api;
using Coffer.Server.Audit;
using Coffer.Server.Auth;
using Coffer.Server.Hosting;
using Coffer.Server.Metrics;
using Coffer.Server.Leases;
using Coffer.Server.Rotation;
using Coffer.Server.Kms;
using Coffer.Server.Seal;
using Coffer.Server.Sealing;
using Coffer.Server.Secrets;
using Coffer.Storage;
using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Prometheus;

namespace Coffer.Server;

/// <summary>Composes storage, the seal, authentication and the API into a running Kestrel server.</summary>
public static class CofferServer
{
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    public static async Task<RunningServer> StartAsync(CofferServerOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        options.Validate();
        string? temporaryData = null;
        var dataDirectory = options.DataDirectory;
        if (dataDirectory is null && options.PostgresConnectionString is null)
        {
            temporaryData = Directory.CreateTempSubdirectory("coffer-dev-").FullName;
            dataDirectory = temporaryData;
        }

        string? unsealShares = options.UnsealKeyFile is null ? null : ReadUnsealKeyFile(options.UnsealKeyFile);
        var storage = options.PostgresConnectionString is { } postgres
            ? await PostgresStorage.OpenAsync(postgres, cancellationToken).ConfigureAwait(false)
            : await SqliteStorage.OpenAsync(Path.Combine(dataDirectory!, SqliteStorage.FileName), cancellationToken).ConfigureAwait(false);
        var storageName = options.PostgresConnectionString is null ? dataDirectory! : "PostgreSQL";
        WebApplication? app = null;
        try
        {
            var auditDirectory = options.AuditDirectory ?? Path.Combine(dataDirectory ?? Environment.CurrentDirectory, dataDirectory is null ? "coffer-audit" : "audit");
            app = Build(options, storage, auditDirectory);
            if (app.Services.GetService<AuditLog>() is { } audit)
            {
                // Records kept with changes whose lines a crash took from the file go back in before anything else.
                var recovered = await audit.RecoverAsync(storage.AuditOutbox, cancellationToken).ConfigureAwait(false);
                if (recovered > 0)
                {
                    ServerLog.AuditRecovered(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Coffer.Audit"), recovered);
                }

                // Each start is on record, signed, so the checkpoint endpoint always has one to hand out.
                await audit.CheckpointAsync(final: false, cancellationToken).ConfigureAwait(false);
            }

            var seal = app.Services.GetRequiredService<SealState>();
            string? rootToken = null;
            if (options.Dev)
            {
                var status = await seal.GetStatusAsync(cancellationToken).ConfigureAwait(false);
                if (status.Initialized && unsealShares is null)
                {
                    throw new CofferException(ErrorKind.Conflict, "AlreadyInitialized", $"{storageName} already holds an initialised Coffer whose root key dev mode cannot know; start without --dev, or with --unseal-key-file");
                }

                if (!status.Initialized)
                {
                    var init = await seal.InitializeAsync(1, 1, cancellationToken).ConfigureAwait(false);
                    await seal.SubmitShareAsync(init.Keys[0], cancellationToken).ConfigureAwait(false);
                    rootToken = init.RootToken;
                }
            }

            if (unsealShares is not null)
            {
                await UnsealFromFileAsync(seal, unsealShares, cancellationToken).ConfigureAwait(false);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var running = new RunningServer(app, storage, address, temporaryData);
            if (options.Dev)
            {
                await WriteDevBannerAsync(output, address, storageName, temporaryData is not null, rootToken).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"Coffer listening on {address} (data: {storageName}){(seal.IsSealed ? "; sealed: run 'coffer operator unseal'" : string.Empty)}").ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return running;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            await storage.DisposeAsync().ConfigureAwait(false);
            if (temporaryData is not null)
            {
                Directory.Delete(temporaryData, recursive: true);
            }

            throw;
        }
    }

    private static WebApplication Build(CofferServerOptions options, StorageBackend storage, string auditDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        if (options.LogWriter is { } logWriter)
        {
            builder.Logging.AddProvider(new WriterLoggerProvider(logWriter));
        }

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Listen(options.ListenEndPoint, listen =>
            {
                if (options.UsesTls)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(options.TlsCertificatePath!, options.TlsKeyPath));
                }
            });
        });

        var services = builder.Services;
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(storage.Secrets);
        services.AddSingleton(storage.Installation);
        services.AddSingleton(storage.Tokens);
        services.AddSingleton(storage.Rewrap);
        services.AddSingleton(storage.Namespaces);
        services.AddSingleton(storage.Access);
        services.AddSingleton<AccessPolicySource>();
        services.AddSingleton(storage.LoginRoles);
        services.AddSingleton(new LoginMethods(options));
        services.AddSingleton<Coffer.Server.Auth.Jwt.JwtValidator>();
        services.AddSingleton<SealState>();
        services.AddSingleton(storage.RewrapRequests);
        services.AddSingleton<RewrapRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<RewrapRunner>());
        services.AddSingleton<TokenAuthenticator>();
        services.AddSingleton<IAccessAuthorizer, RbacAuthorizer>();
        services.AddSingleton<SecretOperations>();
        services.AddSingleton<CofferMetrics>();
        services.AddSingleton(sp => new AlertDispatcher(
            options.Alerts,
            sp.GetRequiredService<CofferMetrics>(),
            sp.GetRequiredService<ILoggerFactory>(),
            options.Audit ? Path.Combine(auditDirectory, "audit.log") : null));
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        services.AddSingleton(options.AuditPolicy ?? AuditPolicy.Default);
        services.AddSingleton(sp => new Hosting.BackgroundLeadership(options.PostgresConnectionString, () => !sp.GetRequiredService<SealState>().IsSealed, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Hosting.BackgroundLeadership>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Hosting.BackgroundLeadership>());
        AddRotation(services, storage);
        services.AddSingleton<SealingKeyStore>();
        services.AddSingleton(storage.Changes);
        services.AddSingleton(storage.AuditOutbox);
        services.AddSingleton<Watch.SecretChangeSignal>();
        services.AddSingleton(sp => new Watch.ChangeLogPruning(
            sp.GetRequiredService<ISecretChangeLog>(), options.ChangeLogRetention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Watch.ChangeLogPruning>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Watch.ChangeLogPruning>());
        if (options.Audit)
        {
            services.AddSingleton(AuditHasher.LoadOrCreate(auditDirectory));

            // The container disposes it after the host stops, which writes the final checkpoint.
            services.AddSingleton(sp =>
            {
                var loggers = sp.GetRequiredService<ILoggerFactory>();
                var logger = loggers.CreateLogger("Coffer.Audit");
                var extra = new List<IAuditSink>();
                if (options.AuditStdout)
                {
                    extra.Add(new StdoutAuditSink(Console.OpenStandardOutput()));
                }

                if (options.AuditForwardUrl is { } forward)
                {
                    extra.Add(new HttpAuditSink(forward, options.AuditForwardToken, logger, options.TimeProvider));
                }

                return AuditLog.Open(
                    Path.Combine(auditDirectory, "audit.log"),
                    AuditSigner.LoadOrCreate(auditDirectory),
                    options.TimeProvider,
                    logger,
                    options.AuditCheckpointInterval,
                    options.AuditSinkWrapper,
                    options.AuditFileMaxBytes,
                    extra);
            });
            services.AddHostedService(sp => new AuditOutboxFlusher(
                sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<IAuditOutbox>(), options.AuditOutboxFlushInterval, options.TimeProvider, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Coffer.Audit")));
        }

        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Coffer API";
            document.Info.Version = "v1";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        var metrics = app.Services.GetRequiredService<CofferMetrics>();
        app.UseHttpMetrics(o =>
        {
            o.SetMetricFactory(metrics.Factory);
        });
        if (options.Audit)
        {
            _ = app.Services.GetRequiredService<AuditLog>();
        }

        app.UseMiddleware<AuditMiddleware>();

        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseStatusCodePages(context =>
        {
            var response = context.HttpContext.Response;
            return response.ContentLength is null && response.ContentType is null
                ? response.StatusCode switch
                {
                    405 => ApiErrorMiddleware.WriteAsync(context.HttpContext, 405, "MethodNotAllowed", "method not allowed", null),
                    415 => ApiErrorMiddleware.WriteAsync(context.HttpContext, 415, "UnsupportedMediaType", "the request body must be application/json", null),
                    _ => ApiErrorMiddleware.WriteAsync(context.HttpContext, response.StatusCode, "NotFound", "no such endpoint", null),
                }
                : Task.CompletedTask;
        });
        app.UseMiddleware<SealGateMiddleware>();
        app.UseRouting();
        app.UseMiddleware<AuditReceiptMiddleware>();
        app.UseMiddleware<AccessMiddleware>();
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        SysEndpoints.Map(app);
        TokenEndpoints.Map(app);
        NamespaceEndpoints.Map(app);
        LoginEndpoints.Map(app);
        AccessEndpoints.Map(app);
        AuditEndpoints.Map(app);
        MetricsEndpoints.Map(app, metrics);
        SecretEndpoints.Map(app);
        RotationEndpoints.Map(app);
        LeaseEndpoints.Map(app);
        KmsEndpoints.Map(app);
        SealingEndpoints.Map(app);
        Watch.WatchEndpoints.Map(app);
        return app;
    }

    /// <summary>Rotation, its scheduler and dynamic credentials with their expiry.</summary>
    private static void AddRotation(IServiceCollection services, StorageBackend storage)
    {
        services.AddSingleton(storage.Rotation.Rotations);
        services.AddSingleton(storage.Rotation.Objects);
        services.AddSingleton(storage.Rotation.Leases);
        services.AddSingleton<RotationSettings>();
        services.AddSingleton<RotationHttp>();
        services.AddSingleton<SecretGeneration>();
        services.AddSingleton<GenerateOnlyRotator>();
        services.AddSingleton<WebhookRotator>();
        services.AddSingleton<PostgresRotator>();
        services.AddSingleton<RotatorCatalog>();
        services.AddSingleton<RotationRunner>();
        services.AddSingleton<StagedReads>();
        services.AddSingleton<NamingEnforcement>();
        services.AddSingleton<RotationStatusReader>();
        services.AddSingleton<RotationMetrics>();
        services.AddSingleton<RotationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<RotationScheduler>());
        services.AddSingleton<DynamicCredentials>();
        services.AddSingleton<LeaseExpiry>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaseExpiry>());
    }

    /// <summary>The file holds key material, so anything but owner-only access is refused.</summary>
    private static string ReadUnsealKeyFile(string path)
    {
        if (!File.Exists(path))
        {
            throw CofferException.Invalid("UnsealKeyFile", $"unseal key file {path} does not exist", "unseal-key-file");
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & groupOrOther) != 0)
        {
            throw CofferException.Invalid("UnsealKeyFileMode", $"unseal key file {path} must have mode 0600 (it is {Convert.ToString((int)mode, 8)}); run chmod 600 {path}", "unseal-key-file");
        }

        return File.ReadAllText(path);
    }

    private static async Task UnsealFromFileAsync(SealState seal, string shares, CancellationToken cancellationToken)
    {
        foreach (var line in shares.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('#'))
            {
                await seal.SubmitShareAsync(line, cancellationToken).ConfigureAwait(false);
            }

            if (!seal.IsSealed)
            {
                return;
            }
        }

        throw CofferException.Invalid("UnsealKeyFile", "the unseal key file does not hold enough shares to reach the threshold", "unseal-key-file");
    }

    private static async Task WriteDevBannerAsync(TextWriter output, Uri address, string dataDirectory, bool temporary, string? rootToken)
    {
        var root = address.ToString().TrimEnd('/');
        await output.WriteLineAsync($"Coffer dev server listening on {root}").ConfigureAwait(false);
        await output.WriteLineAsync($"Data: {dataDirectory}{(temporary ? " (temporary, removed on exit)" : string.Empty)}").ConfigureAwait(false);
        if (rootToken is not null)
        {
            await output.WriteLineAsync($"Root token: {rootToken}").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"    export COFFER_ADDR={root}").ConfigureAwait(false);
            await output.WriteLineAsync($"    export COFFER_TOKEN={rootToken}").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        await output.WriteLineAsync("Dev mode keeps the root key in memory only: never use it for real secrets.").ConfigureAwait(false);
    }
}
