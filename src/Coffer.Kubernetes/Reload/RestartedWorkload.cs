namespace Coffer.Kubernetes.Reload;

/// <summary>A workload the operator started a rolling restart of.</summary>
/// <param name="Kind">Deployment, StatefulSet, DaemonSet or Rollout (Argo).</param>
internal sealed record RestartedWorkload(string Kind, string Namespace, string Name)
{
    public override string ToString() => $"{Kind}/{Namespace}/{Name}";
}
