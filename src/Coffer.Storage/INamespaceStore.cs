namespace Coffer.Storage;

/// <summary>Namespaces exist only once created; <c>default</c> is there from the start.</summary>
public interface INamespaceStore
{
    /// <summary>Conflict <c>NamespaceExists</c> if it already exists.</summary>
    Task CreateAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// NotFound <c>NamespaceNotFound</c>; Conflict <c>NamespaceNotEmpty</c> if it holds secrets, roles or bindings,
    /// unless <paramref name="force"/>, which deletes them with it. Returns how many secrets went.
    /// </summary>
    Task<long> DeleteAsync(string name, bool force, CancellationToken cancellationToken);

    Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken);
}
