namespace Coffer.Server.Hosting;

/// <summary>Every log line the server writes: key ids and counts, never key material or values.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Initialised with {Shares} unseal shares, threshold {Threshold}, key-encryption key {KeyId}")]
    public static partial void Initialized(ILogger logger, int shares, int threshold, int keyId);

    [LoggerMessage(2, LogLevel.Information, "Unsealed: current key-encryption key {KeyId}, key ring generation {Generation}")]
    public static partial void Unsealed(ILogger logger, int keyId, long generation);

    [LoggerMessage(3, LogLevel.Warning, "Unseal failed: the shares given do not reconstruct the root key")]
    public static partial void UnsealFailed(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Sealed: root key and key ring forgotten")]
    public static partial void Sealed(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "Key ring changed: current key-encryption key {KeyId}, generation {Generation}")]
    public static partial void KeyRingChanged(ILogger logger, int keyId, long generation);

    [LoggerMessage(6, LogLevel.Information, "Rewrap finished: {Rewrapped} data keys re-wrapped under key {KeyId}; retired keys {Retired}")]
    public static partial void RewrapFinished(ILogger logger, long rewrapped, int keyId, string retired);

    [LoggerMessage(7, LogLevel.Error, "Rewrap stopped: {Reason}")]
    public static partial void RewrapFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Error, "Unhandled {ExceptionType} serving {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, string exceptionType, string method, string path, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "Version {Namespace}/{Name}@{Version} failed to decrypt: its ciphertext or wrapped key does not match its record")]
    public static partial void DecryptFailed(ILogger logger, string @namespace, string name, long version);

    [LoggerMessage(10, LogLevel.Warning, "A root token was generated from a quorum of unseal keys (accessor {Accessor})")]
    public static partial void RootGenerated(ILogger logger, string accessor);

    [LoggerMessage(11, LogLevel.Warning, "Root token generation refused: the unseal keys given do not reconstruct the root key")]
    public static partial void GenerateRootRefused(ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "Audit sink {Sink} failed ({ExceptionType}); requests are refused while no sink can write")]
    public static partial void AuditSinkFailed(ILogger logger, string sink, string exceptionType);

    [LoggerMessage(13, LogLevel.Warning, "Alert {Rule}: {Identity}: {Message}")]
    public static partial void AlertRaised(ILogger logger, string rule, string identity, string message);

    [LoggerMessage(14, LogLevel.Warning, "Alert {Rule} could not be posted to the webhook: {Problem}")]
    public static partial void AlertWebhookFailed(ILogger logger, string rule, string problem);

    [LoggerMessage(15, LogLevel.Warning, "The audit log could not be read to learn past access ({ExceptionType}); alert history starts now")]
    public static partial void AlertHistoryUnreadable(ILogger logger, string exceptionType);

    [LoggerMessage(16, LogLevel.Information, "Pruned {Count} changes older than {Retention} from the change log")]
    public static partial void ChangeLogPruned(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(17, LogLevel.Warning, "The change log could not be pruned ({ExceptionType}); trying again at the next pass")]
    public static partial void ChangeLogPruneFailed(ILogger logger, string exceptionType);

    [LoggerMessage(18, LogLevel.Information, "This replica {Change} the background work lock (rotation schedule, lease expiry)")]
    public static partial void LeadershipChanged(ILogger logger, string change);

    [LoggerMessage(19, LogLevel.Warning, "Restored {Count} audit entries that a crash had taken from the audit file, from the copies kept with their changes")]
    public static partial void AuditRecovered(ILogger logger, int count);

    [LoggerMessage(20, LogLevel.Error, "Dropping audit copies kept with changes failed ({ExceptionType}); retried at the next flush")]
    public static partial void AuditOutboxPruneFailed(ILogger logger, string exceptionType);
}
