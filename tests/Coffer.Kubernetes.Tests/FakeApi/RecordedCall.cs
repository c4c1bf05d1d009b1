namespace Coffer.Kubernetes.Tests.FakeApi;

internal sealed record RecordedCall(string Method, string Path, string? ContentType);
