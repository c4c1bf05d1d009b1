using Coffer.Core.Access;

namespace Coffer.Storage;

/// <summary>Roles and bindings, changed all or nothing, and the users that have been seen.</summary>
public interface IAccessStore
{
    Task<AccessObjects> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces every object in one transaction; NotFound <c>NamespaceNotFound</c> (and nothing applied) if a namespace is missing.</summary>
    Task<IReadOnlyList<AccessChange>> ApplyAsync(AccessObjects objects, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes every object named, in one transaction; missing ones are reported, not an error.</summary>
    Task<IReadOnlyList<AccessChange>> DeleteAsync(IReadOnlyList<AccessObjectKey> keys, CancellationToken cancellationToken);

    /// <summary>Remembers that <paramref name="user"/> logged in or was given a token, for access reviews.</summary>
    Task RecordUserAsync(string user, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> KnownUsersAsync(CancellationToken cancellationToken);
}
