namespace Coffer.Kubernetes.Operator;

/// <param name="Resync">How often everything is re-read from Coffer regardless of the watch stream: a safety net only.</param>
/// <param name="ReloadDebounce">Quiet time after the last change to a namespace's Secrets before workloads are restarted.</param>
/// <param name="HashKey">Key of the data hash written into statuses and pod templates (see <see cref="SecretDataHash"/>).</param>
internal sealed record ControllerOptions(TimeSpan Resync, TimeSpan ReloadDebounce, byte[] HashKey)
{
    public static readonly TimeSpan DefaultResync = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultReloadDebounce = TimeSpan.FromSeconds(2);

    /// <summary>Pause before a failed watch or reconcile is tried again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the operator follows a rollout it started before leaving the previous credential to Coffer's hold.</summary>
    public TimeSpan RolloutTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one Coffer watch request lasts before it is re-opened from the last revision seen.</summary>
    public TimeSpan CofferWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
