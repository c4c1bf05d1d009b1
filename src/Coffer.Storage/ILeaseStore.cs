namespace Coffer.Storage;

/// <summary>Leases of dynamic credentials; stored so that revocation survives a restart.</summary>
public interface ILeaseStore
{
    Task CreateAsync(LeaseRow lease, CancellationToken cancellationToken);

    Task<LeaseRow?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Leases of a namespace (or all), by id; revoked ones only when asked.</summary>
    Task<IReadOnlyList<LeaseRow>> ListAsync(string? @namespace, bool includeRevoked, CancellationToken cancellationToken);

    /// <summary>Moves an unrevoked lease's expiry; false if it is revoked or missing.</summary>
    Task<bool> RenewAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Marks a lease revoked; false if it already was or is missing.</summary>
    Task<bool> MarkRevokedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Unrevoked leases whose expiry has passed, oldest first.</summary>
    Task<IReadOnlyList<LeaseRow>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
