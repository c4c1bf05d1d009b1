namespace Coffer.Storage;

/// <summary>The stores one backend provides, and its lifetime.</summary>
public sealed class StorageBackend(
    ISecretStore secrets,
    IInstallationStore installation,
    ITokenStore tokens,
    IRewrapStore rewrap,
    INamespaceStore namespaces,
    IAccessStore access,
    ILoginRoleStore loginRoles,
    RotationStores rotation,
    IAsyncDisposable owner) : IAsyncDisposable
{
    public ISecretStore Secrets { get; } = secrets;

    public IInstallationStore Installation { get; } = installation;

    public ITokenStore Tokens { get; } = tokens;

    public IRewrapStore Rewrap { get; } = rewrap;

    public INamespaceStore Namespaces { get; } = namespaces;

    public IAccessStore Access { get; } = access;

    public ILoginRoleStore LoginRoles { get; } = loginRoles;

    public RotationStores Rotation { get; } = rotation;

    /// <summary>Every secret change in revision order, for watchers.</summary>
    public required ISecretChangeLog Changes { get; init; }

    /// <summary>The standing request to re-wrap data keys, for the replica that leads background work.</summary>
    public required IRewrapRequests RewrapRequests { get; init; }

    /// <summary>Audit records kept with their changes until the audit log has them on disk.</summary>
    public required IAuditOutbox AuditOutbox { get; init; }

    public ValueTask DisposeAsync() => owner.DisposeAsync();
}
