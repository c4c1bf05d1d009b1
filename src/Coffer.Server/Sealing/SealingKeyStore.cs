using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Crypto.Sealing;
using Coffer.Server.Secrets;
using Coffer.Storage;

namespace Coffer.Server.Sealing;

/// <summary>
/// The Sealed Secrets key pairs, kept as the secret <c>coffer-system/sealing-keys</c>: envelope-encrypted under the key
/// ring at rest like every secret (and rewrapped with it), one "NNNN.crt"/"NNNN.key" pair per key. A key is added
/// when the newest is 30 days old; none is ever dropped, so everything sealed before stays readable.
/// </summary>
internal sealed class SealingKeyStore(SecretOperations secrets, INamespaceStore namespaces, TimeProvider time, ILogger<SealingKeyStore> logger) : IDisposable
{
    public static readonly SecretAddress Address = new("coffer-system", "sealing-keys");

    private readonly SemaphoreSlim gate = new(1, 1);
    private SealingKeySet? cached;

    /// <summary>The key set, renewed first when due.</summary>
    public async Task<SealingKeySet> GetAsync(CancellationToken cancellationToken)
    {
        var current = cached;
        if (current is not null && !current.NeedsRenewal(time.GetUtcNow()))
        {
            return current;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadOrRenewAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops the cache, so a key another replica added is seen.</summary>
    public async Task<SealingKeySet> ReloadAsync(CancellationToken cancellationToken)
    {
        cached = null;
        return await GetAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => gate.Dispose();

    private async Task<SealingKeySet> LoadOrRenewAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (version, keys) = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (keys.Count > 0 && !new SealingKeySet(keys).NeedsRenewal(now))
            {
                cached = new SealingKeySet(keys);
                return cached;
            }

            var added = SealingKey.Generate(now);
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            var all = keys.Append(added).ToList();
            for (var i = 0; i < all.Count; i++)
            {
                entries[$"{i + 1:D4}.crt"] = Base64(all[i].CertificatePem);
                entries[$"{i + 1:D4}.key"] = Base64(all[i].ExportPrivateKeyPem());
            }

            var request = new SecretWriteRequest
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Data = entries,
                MaxVersions = 2,
                Metadata = new SecretWriteMetadata { Labels = new Dictionary<string, string> { ["coffer.dev/purpose"] = "sealed-secrets-keys" } },
            };
            if (version == 0 && !await namespaces.ExistsAsync(Address.Namespace, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await namespaces.CreateAsync(Address.Namespace, now, cancellationToken).ConfigureAwait(false);
                }
                catch (CofferException e) when (e.Kind == ErrorKind.Conflict)
                {
                    // Another replica created it first.
                }
            }

            try
            {
                await secrets.PutAsync(Address, request, version, "coffer/sealing", receipt: null, cancellationToken).ConfigureAwait(false);
                SealingLog.KeyAdded(logger, added.Certificate.Thumbprint, all.Count);
                cached = new SealingKeySet(all);
                return cached;
            }
            catch (CofferException e) when (e.Kind == ErrorKind.Conflict && attempt < 2)
            {
                // Another replica renewed first: use its key.
                added.Dispose();
            }
        }
    }

    private async Task<(long Version, List<SealingKey> Keys)> LoadAsync(CancellationToken cancellationToken)
    {
        SecretData data;
        long version;
        try
        {
            var (stored, read) = await secrets.GetAsync(Address, null, cancellationToken).ConfigureAwait(false);
            data = read;
            version = stored.Secret.CurrentVersion;
        }
        catch (CofferException e) when (e.Kind == ErrorKind.NotFound)
        {
            return (0, []);
        }

        var keys = new List<SealingKey>();
        for (var i = 1; data.Values.TryGetValue($"{i:D4}.crt", out var certificate) && data.Values.TryGetValue($"{i:D4}.key", out var key); i++)
        {
            keys.Add(SealingKey.FromPem(Encoding.UTF8.GetString(certificate), Encoding.UTF8.GetString(key)));
        }

        return (version, keys);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
