namespace Coffer.Kubernetes.Operator;

/// <summary>One line of the Coffer watch stream: a change (names and version only) or a bookmark.</summary>
internal sealed record CofferChange(string Type, long Revision, string? Namespace, string? Name, long? Version)
{
    public bool IsBookmark => Type == "bookmark";

    /// <summary>Coffer pruned changes this stream had not read: it ends, and the next one must start afresh.</summary>
    public bool IsExpired => Type == "expired";
}
