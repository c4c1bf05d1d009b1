using System.Security.Cryptography;
using Coffer.Crypto.Keys;
using Coffer.Crypto.Sharing;
using Coffer.Storage;

namespace Coffer.Kubernetes.Kms;

/// <summary>
/// The plugin holding the key ring itself: it reads Coffer's storage and unseals with a quorum of shares, as the
/// server does, and picks up rings a rotation appended when asked to refresh.
/// </summary>
public sealed class StoredKeyRingSource : IDisposable
{
    private readonly IInstallationStore store;
    private readonly byte[] rootKey;
    private volatile KeyRing ring;

    private StoredKeyRingSource(IInstallationStore store, byte[] rootKey, KeyRing ring)
    {
        this.store = store;
        this.rootKey = rootKey;
        this.ring = ring;
    }

    public KeyRing Ring => ring;

    /// <summary>Lines that are empty or start with '#' are skipped; throws <see cref="InvalidOperationException"/> with the reason.</summary>
    public static async Task<StoredKeyRingSource> UnsealAsync(IInstallationStore store, IEnumerable<string> shareLines, CancellationToken cancellationToken)
    {
        var installation = await store.GetAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("this Coffer storage is not initialised; run 'coffer operator init' against its server first");
        var shares = new List<byte[]>();
        try
        {
            foreach (var line in shareLines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                var share = UnsealShare.TryDecode(line) ?? throw new InvalidOperationException("the unseal key file holds a line that is not an unseal share");
                if (!shares.Any(s => s[0] == share[0]))
                {
                    shares.Add(share);
                }
            }

            if (shares.Count < installation.Threshold)
            {
                throw new InvalidOperationException($"{installation.Threshold} unseal shares are needed, {shares.Count} given");
            }

            var stored = await store.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
            var rootKey = ShamirSecretSharing.Combine(shares);
            try
            {
                return new StoredKeyRingSource(store, rootKey, KeyRingProtector.Unprotect(stored.Blob, rootKey));
            }
            catch (CryptographicException)
            {
                CryptographicOperations.ZeroMemory(rootKey);
                throw new InvalidOperationException("the unseal shares do not reconstruct this storage's root key");
            }
            catch
            {
                // Whatever failed, the reconstructed root key does not outlive this call.
                CryptographicOperations.ZeroMemory(rootKey);
                throw;
            }
        }
        finally
        {
            foreach (var share in shares)
            {
                CryptographicOperations.ZeroMemory(share);
            }
        }
    }

    /// <summary>Loads a newer ring generation if storage has one (a rotation or retirement made by the server).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        if (stored.Generation > ring.Generation)
        {
            ring = KeyRingProtector.Unprotect(stored.Blob, rootKey);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(rootKey);
        ring.Destroy();
    }
}
