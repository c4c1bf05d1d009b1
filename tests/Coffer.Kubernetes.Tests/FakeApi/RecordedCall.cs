namespace Coffer.Kubernetes.Tests.FakeApi;

internal sealed record RecordedCall(string Method, string Path, string? ContentType, string Query)
{
    public bool IsWatch => Query.Contains("watch=true", StringComparison.Ordinal) || Query.Contains("watch=1", StringComparison.Ordinal);
}
