namespace Coffer.Kubernetes.Kms;

/// <param name="KeyId">The current key id; null when unhealthy.</param>
/// <param name="Problem">Why it is unhealthy, shown in the apiserver's healthz; null when healthy.</param>
public sealed record KmsHealth(string? KeyId, string? Problem)
{
    public bool IsHealthy => Problem is null;
}
