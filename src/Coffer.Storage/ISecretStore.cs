using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>Secrets and their versions. Every method is one transaction.</summary>
public interface ISecretStore
{
    Task<SecretMetadata?> GetMetadataAsync(SecretAddress address, CancellationToken cancellationToken);

    /// <summary>The given version, or the current one when <paramref name="version"/> is null; null when the secret does not exist.</summary>
    Task<StoredVersion?> GetVersionAsync(SecretAddress address, long? version, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new version. <paramref name="seal"/> is called inside the transaction with the new
    /// version number, so the ciphertext can bind it.
    /// </summary>
    Task<SecretMetadata> WriteVersionAsync(SecretWrite write, Func<long, SealedPayload> seal, CancellationToken cancellationToken);

    Task<SecretMetadata> ChangeAsync(SecretChange change, CancellationToken cancellationToken);

    Task<IReadOnlyList<SecretVersionInfo>> GetHistoryAsync(SecretAddress address, CancellationToken cancellationToken);

    Task<SecretPage> ListAsync(string @namespace, SecretListQuery query, CancellationToken cancellationToken);
}
