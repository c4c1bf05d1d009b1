using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>The operator's log lines: names, versions and reasons, never a value.</summary>
internal static partial class OperatorLog
{
    [LoggerMessage(100, LogLevel.Information, "Synced {Namespace}/{Name} to Secret {Target} from Coffer {Source} version {Version} ({Action})")]
    public static partial void Synced(ILogger logger, string @namespace, string name, string target, string source, long version, string action);

    [LoggerMessage(101, LogLevel.Warning, "CofferSecret {Namespace}/{Name} not synced: {Reason}: {Message}")]
    public static partial void NotSynced(ILogger logger, string @namespace, string name, string reason, string message);

    [LoggerMessage(102, LogLevel.Warning, "Watch of {What} ended ({Error}); resuming")]
    public static partial void WatchEnded(ILogger logger, string what, string error);

    [LoggerMessage(103, LogLevel.Warning, "Secret {Namespace}/{Name} had drifted from Coffer; restored")]
    public static partial void DriftRestored(ILogger logger, string @namespace, string name);

    [LoggerMessage(104, LogLevel.Information, "Rolling restart of {Kind} {Namespace}/{Name}: a Secret it uses changed")]
    public static partial void Reloaded(ILogger logger, string kind, string @namespace, string name);

    [LoggerMessage(105, LogLevel.Error, "Reconcile of {Key} failed; retrying")]
    public static partial void ReconcileFailed(ILogger logger, string key, Exception error);

    [LoggerMessage(106, LogLevel.Information, "CofferSecret {Key} deleted: target Secret {Target} {Outcome}")]
    public static partial void Deleted(ILogger logger, string key, string target, string outcome);

    [LoggerMessage(107, LogLevel.Warning, "Could not record event {Reason} on {Namespace}/{Name}")]
    public static partial void EventFailed(ILogger logger, string reason, string @namespace, string name, Exception error);

    [LoggerMessage(108, LogLevel.Information, "SealedSecret {Namespace}/{Name} unsealed into Secret {Namespace}/{Name} ({Action})")]
    public static partial void Unsealed(ILogger logger, string @namespace, string name, string action);

    [LoggerMessage(109, LogLevel.Warning, "SealedSecret {Namespace}/{Name} not unsealed: {Reason}: {Message}")]
    public static partial void NotUnsealed(ILogger logger, string @namespace, string name, string reason, string message);

    [LoggerMessage(110, LogLevel.Information, "Rollout of Coffer {Namespace}/{Name} version {Version} {State}: previous credential {Revocation}")]
    public static partial void RolloutReported(ILogger logger, string @namespace, string name, long version, string state, string revocation);

    [LoggerMessage(111, LogLevel.Warning, "Rollout of Coffer {Namespace}/{Name} version {Version} could not be reported ({Error}); Coffer revokes the previous credential after its hold")]
    public static partial void RolloutReportFailed(ILogger logger, string @namespace, string name, long version, string error);
}
