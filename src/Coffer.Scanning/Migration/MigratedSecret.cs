namespace Coffer.Scanning.Migration;

/// <summary>One secret a manifest held in plain sight, to be stored in Coffer at <c>Namespace/Name</c> before the manifest is rewritten.</summary>
/// <param name="Origin">What held it, for messages: <c>Secret/db</c> or <c>Deployment/api env</c>.</param>
public sealed record MigratedSecret(string Namespace, string Name, string Type, IReadOnlyDictionary<string, byte[]> Data, string Origin);
