using Coffer.Core.Access;

namespace Coffer.Storage;

/// <summary>Kubernetes service-account login roles, by name.</summary>
public interface ILoginRoleStore
{
    /// <summary>Creates or replaces; true if it was created.</summary>
    Task<bool> PutAsync(LoginRole role, DateTimeOffset at, CancellationToken cancellationToken);

    Task<LoginRole?> GetAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<LoginRole>> ListAsync(CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
