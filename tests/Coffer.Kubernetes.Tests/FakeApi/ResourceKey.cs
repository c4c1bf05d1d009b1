namespace Coffer.Kubernetes.Tests.FakeApi;

/// <param name="Prefix">"api/v1" or "apis/{group}/{version}".</param>
internal sealed record ResourceKey(string Prefix, string Resource, string Namespace, string Name);
