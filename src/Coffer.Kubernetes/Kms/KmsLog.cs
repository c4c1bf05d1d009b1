namespace Coffer.Kubernetes.Kms;

/// <summary>Key ids and request uids only: never key material or plaintext.</summary>
internal static partial class KmsLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "KMS {Operation} unavailable (uid {Uid}): {Reason}")]
    public static partial void Unavailable(ILogger logger, string operation, string uid, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "KMS {Operation} refused (uid {Uid}, key id '{KeyId}')")]
    public static partial void Refused(ILogger logger, string operation, string uid, string keyId);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "KMS v2 plugin listening on {Socket}")]
    public static partial void Listening(ILogger logger, string socket);
}
