namespace Coffer.Kubernetes.Operator;

/// <summary>One version of a Coffer secret as the operator reads it.</summary>
internal sealed record CofferSecretData(string Namespace, string Name, long Version, string Type, IReadOnlyDictionary<string, byte[]> Values);
