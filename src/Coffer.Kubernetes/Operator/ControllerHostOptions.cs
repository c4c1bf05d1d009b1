namespace Coffer.Kubernetes.Operator;

/// <param name="CofferAddress">The Coffer server's URL.</param>
/// <param name="CofferCaFile">PEM CA that signed the Coffer server's certificate; the system store when null.</param>
/// <param name="TokenFile">The operator's projected service-account token (audience coffer), re-read at every login.</param>
/// <param name="HashKeyFile">Key of the data hash (32+ random bytes).</param>
/// <param name="Kubeconfig">A kubeconfig to use instead of the in-cluster service account.</param>
/// <param name="SealedSecrets">Also turn SealedSecrets (bitnami.com/v1alpha1) into native Secrets.</param>
internal sealed record ControllerHostOptions(Uri CofferAddress, string? CofferCaFile, string TokenFile, string HashKeyFile, string? Kubeconfig, TimeSpan Resync, TimeSpan ReloadDebounce, bool SealedSecrets = true);
