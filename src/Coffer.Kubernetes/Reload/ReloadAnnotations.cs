namespace Coffer.Kubernetes.Reload;

internal static class ReloadAnnotations
{
    /// <summary>On a workload: "true" opts it in to rolling restarts when a Secret it uses changes.</summary>
    public const string OptIn = "coffer.dev/reload";

    /// <summary>On the pod template: the combined data hash of the Secrets the pods were started with.</summary>
    public const string SecretHash = "coffer.dev/secret-hash";
}
