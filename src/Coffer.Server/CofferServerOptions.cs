using System.Net;
using Coffer.Core.Errors;

namespace Coffer.Server;

/// <summary>How to run a server. <see cref="Validate"/> states every rule a bad combination breaks.</summary>
public sealed record CofferServerOptions
{
    public const string DefaultListen = "127.0.0.1:8200";

    /// <summary>Where the database lives; dev mode uses a temporary folder when absent.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string: store everything there instead of SQLite, so several replicas can share it.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary><c>ADDRESS:PORT</c>; port 0 picks a free one.</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>Initialise and unseal with an in-memory root key, print a root token.</summary>
    public bool Dev { get; init; }

    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    /// <summary>Serve plain HTTP without dev mode; allowed on loopback addresses only.</summary>
    public bool InsecureListen { get; init; }

    /// <summary>A mode-0600 file of unseal shares, one per line, used at start.</summary>
    public string? UnsealKeyFile { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Also write every log line here (for embedding the server, and for tests that scan logs for leaks).</summary>
    public TextWriter? LogWriter { get; init; }

    /// <summary>Where the audit log and its checkpoint signing key live; default: <c>audit</c> in the data folder.</summary>
    public string? AuditDirectory { get; init; }

    /// <summary>How often a signed checkpoint is written (one is always written at shutdown).</summary>
    public TimeSpan AuditCheckpointInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Chooses each request's audit detail (Kubernetes' audit Policy shape); default: Metadata for everything.</summary>
    public Audit.AuditPolicy? AuditPolicy { get; init; }

    /// <summary>Rotate the audit file past this size (the chain runs on across files); 0: never.</summary>
    public long AuditFileMaxBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Also write audit entries to standard output as JSON lines.</summary>
    public bool AuditStdout { get; init; }

    /// <summary>Also forward audit entries to this SIEM endpoint (batched JSON lines, retried with backoff).</summary>
    public Uri? AuditForwardUrl { get; init; }

    /// <summary>Bearer token for <see cref="AuditForwardUrl"/>.</summary>
    public string? AuditForwardToken { get; init; }

    /// <summary>
    /// How often the audit file is forced to disk so the records kept with changes can be dropped; tests shorten it.
    /// </summary>
    internal TimeSpan AuditOutboxFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Tests wrap the audit file sink to make it fail on demand.</summary>
    internal Func<Audit.IAuditSink, Audit.IAuditSink>? AuditSinkWrapper { get; init; }

    /// <summary>Off only for benchmarks that measure what auditing costs; a server without an audit log is not for production.</summary>
    public bool Audit { get; init; } = true;

    /// <summary>The irregular-access alert rules and where alerts are posted.</summary>
    public Alerts.AlertOptions Alerts { get; init; } = new();

    /// <summary>Trust this cluster's service-account tokens for <c>POST /v1/auth/kubernetes/login</c>.</summary>
    public IdentityProviderOptions? KubernetesAuth { get; init; }

    /// <summary>Or check service-account logins online through this cluster's TokenReview API.</summary>
    public TokenReviewOptions? KubernetesTokenReview { get; init; }

    /// <summary>Trust this identity provider's ID tokens for <c>POST /v1/auth/oidc/login</c>.</summary>
    public IdentityProviderOptions? OidcAuth { get; init; }

    /// <summary>How long the change log keeps a change for watchers to resume from (the newest is always kept).</summary>
    public TimeSpan ChangeLogRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The clock for token expiry and record times; tests pass their own.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public IPEndPoint ListenEndPoint =>
        IPEndPoint.TryParse(Listen, out var endPoint) && Listen.Contains(':', StringComparison.Ordinal)
            ? endPoint
            : throw CofferException.Invalid("InvalidListen", "--listen must be ADDRESS:PORT, for example 127.0.0.1:8200 or [::1]:8200", "listen");

    public bool UsesTls => TlsCertificatePath is not null;

    public void Validate()
    {
        var endPoint = ListenEndPoint;
        Alerts.Validate();
        if (AuditFileMaxBytes < 0 || AuditFileMaxBytes is > 0 and < 64 * 1024)
        {
            throw CofferException.Invalid("InvalidAuditOptions", "--audit-max-file-size must be 0 (never rotate) or at least 64 KiB", "audit-max-file-size");
        }

        if (ChangeLogRetention < TimeSpan.FromMinutes(1))
        {
            throw CofferException.Invalid("InvalidChangeLogRetention", "--change-log-retention must be at least one minute", "change-log-retention");
        }

        if (AuditForwardUrl is { } forward && (!forward.IsAbsoluteUri || forward.Scheme is not ("https" or "http")))
        {
            throw CofferException.Invalid("InvalidAuditOptions", "--audit-forward must be an absolute http or https URL", "audit-forward");
        }
        if ((TlsCertificatePath is null) != (TlsKeyPath is null))
        {
            throw CofferException.Invalid("InvalidTls", "--tls-cert and --tls-key must be given together", "tls-key");
        }

        if (Dev)
        {
            if (!IPAddress.IsLoopback(endPoint.Address))
            {
                throw CofferException.Invalid("InvalidListen", "--dev listens on a loopback address only, such as 127.0.0.1", "listen");
            }

            return;
        }

        if (DataDirectory is null && PostgresConnectionString is null)
        {
            throw CofferException.Invalid("MissingData", "--data (or --postgres) is required without --dev", "data");
        }

        if (InsecureListen && UsesTls)
        {
            throw CofferException.Invalid("InvalidTls", "--insecure-listen cannot be combined with --tls-cert", "insecure-listen");
        }

        if (InsecureListen && !IPAddress.IsLoopback(endPoint.Address))
        {
            throw CofferException.Invalid("InsecureListen", "--insecure-listen is allowed on loopback addresses only; use --tls-cert and --tls-key elsewhere", "listen");
        }

        if (!InsecureListen && !UsesTls)
        {
            throw CofferException.Invalid("TlsRequired", "TLS is required without --dev: give --tls-cert and --tls-key, or --insecure-listen on a loopback address", "tls-cert");
        }
    }
}
