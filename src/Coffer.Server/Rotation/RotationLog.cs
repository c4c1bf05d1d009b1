namespace Coffer.Server.Rotation;

/// <summary>Rotation and lease log lines: addresses, steps and reasons, never values.</summary>
internal static partial class RotationLog
{
    [LoggerMessage(100, LogLevel.Information, "Rotation of {Namespace}/{Name} step {Step} done (token {Token})")]
    public static partial void StepDone(ILogger logger, string @namespace, string name, string step, string token);

    [LoggerMessage(101, LogLevel.Warning, "Rotation of {Namespace}/{Name} step {Step} failed: {Reason}")]
    public static partial void StepFailed(ILogger logger, string @namespace, string name, string step, string reason);

    [LoggerMessage(102, LogLevel.Information, "Rotated {Namespace}/{Name}: version {Version} is current")]
    public static partial void Promoted(ILogger logger, string @namespace, string name, long version);

    [LoggerMessage(103, LogLevel.Warning, "Scheduled work on {Namespace}/{Name} failed: {Reason}")]
    public static partial void ScheduledFailed(ILogger logger, string @namespace, string name, string reason);

    [LoggerMessage(104, LogLevel.Information, "Previous credential of {Namespace}/{Name} revoked")]
    public static partial void PreviousRevoked(ILogger logger, string @namespace, string name);

    [LoggerMessage(105, LogLevel.Warning, "Due-soon notice for {Namespace}/{Name} not delivered: {Reason}")]
    public static partial void NoticeFailed(ILogger logger, string @namespace, string name, string reason);

    [LoggerMessage(106, LogLevel.Information, "Lease {LeaseId} issued for role {Role}")]
    public static partial void LeaseIssued(ILogger logger, string leaseId, string role);

    [LoggerMessage(107, LogLevel.Information, "Lease {LeaseId} revoked")]
    public static partial void LeaseRevoked(ILogger logger, string leaseId);

    [LoggerMessage(108, LogLevel.Warning, "Lease {LeaseId} could not be revoked, will retry: {Reason}")]
    public static partial void LeaseRevokeFailed(ILogger logger, string leaseId, string reason);

    [LoggerMessage(109, LogLevel.Warning, "Secret {Namespace}/{Name} breaks the namespace naming policy: {Violations}")]
    public static partial void NamingWarning(ILogger logger, string @namespace, string name, string violations);

    [LoggerMessage(112, LogLevel.Information, "Previous credential of {Namespace}/{Name} held until the rollout of version {Version} completes")]
    public static partial void RevocationHeld(ILogger logger, string @namespace, string name, long version);
}
