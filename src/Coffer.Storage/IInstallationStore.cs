using Coffer.Core.Tokens;

namespace Coffer.Storage;

/// <summary>What initialisation creates: the seal configuration and the encrypted key ring (append-only).</summary>
public interface IInstallationStore
{
    Task<InstallationRecord?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Stores the seal configuration, the first key ring and the root token at once; conflicts when already initialised.</summary>
    Task InitializeAsync(InstallationRecord installation, StoredKeyRing keyRing, TokenRecord rootToken, CancellationToken cancellationToken);

    Task<StoredKeyRing> GetKeyRingAsync(CancellationToken cancellationToken);

    /// <summary>Appends the next generation; conflicts when it is not exactly one more than the latest.</summary>
    Task AppendKeyRingAsync(StoredKeyRing keyRing, CancellationToken cancellationToken);
}
