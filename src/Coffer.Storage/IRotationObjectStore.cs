namespace Coffer.Storage;

/// <summary>
/// Rotation and dynamic-credential settings as JSON documents by kind, namespace and name: per-secret rotation policies,
/// namespace policies, database connections and roles. The server owns their shape.
/// </summary>
public interface IRotationObjectStore
{
    /// <summary>Creates or replaces; true if it was created.</summary>
    Task<bool> PutAsync(string kind, string @namespace, string name, string body, DateTimeOffset at, CancellationToken cancellationToken);

    Task<string?> GetAsync(string kind, string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Name and body of each object of the kind, by name; every namespace when <paramref name="namespace"/> is null.</summary>
    Task<IReadOnlyList<RotationObject>> ListAsync(string kind, string? @namespace, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string kind, string @namespace, string name, CancellationToken cancellationToken);
}
