namespace Coffer.Server.Access;

/// <summary>Either <c>{"name": "team-a"}</c> or the Kubernetes shape <c>{"metadata": {"name": "team-a"}}</c>.</summary>
internal sealed record NamespaceCreateRequest
{
    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public NamespaceMetadata? Metadata { get; init; }
}
