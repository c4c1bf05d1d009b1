namespace Coffer.Server.Rotation;

/// <summary>
/// What the Kubernetes operator tells Coffer about the workloads that use a secret's new version: <c>Started</c> when
/// it restarted them, <c>Complete</c> once every one of them has rolled out.
/// </summary>
internal sealed record RolloutReport(long Version, string State, IReadOnlyList<string>? Workloads = null)
{
    public const string Started = "Started";
    public const string Complete = "Complete";
    public const int MaxWorkloads = 1000;
}
