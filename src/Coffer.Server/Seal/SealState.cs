using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Core.Tokens;
using Coffer.Crypto.Keys;
using Coffer.Crypto.Sharing;
using Coffer.Server.Auth;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Seal;

/// <summary>
/// Holds the root key and the decrypted key ring while unsealed, and nothing while sealed.
/// Changes to the ring (rotate, retire) are serialised and appended to storage before use.
/// </summary>
internal sealed class SealState(IInstallationStore store, ITokenStore tokens, TimeProvider time, ILogger<SealState> logger)
{
    private readonly Lock shareLock = new();
    private readonly SemaphoreSlim ringGate = new(1, 1);
    private readonly List<byte[]> pendingShares = [];
    private volatile Unsealed? unsealed;
    private InstallationRecord? installation;

    public bool IsSealed => unsealed is null;

    /// <summary>The current key ring; throws 503 while sealed.</summary>
    public KeyRing Ring => unsealed?.Ring ?? throw Sealed();

    public async Task<SealStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var record = await LoadInstallationAsync(cancellationToken).ConfigureAwait(false);
        int progress;
        lock (shareLock)
        {
            progress = pendingShares.Count;
        }

        return new SealStatus(record is not null, IsSealed, record?.Shares ?? 0, record?.Threshold ?? 0, progress, unsealed?.Ring.Current.Id);
    }

    public async Task<InitResponse> InitializeAsync(int shares, int threshold, CancellationToken cancellationToken)
    {
        if (threshold < 1 || shares < threshold || shares > ShamirSecretSharing.MaxShares)
        {
            throw CofferException.Invalid("InvalidField", $"need 1 <= threshold <= shares <= {ShamirSecretSharing.MaxShares}", "threshold");
        }

        var now = time.GetUtcNow();
        var rootKey = RandomNumberGenerator.GetBytes(UnsealShare.RootKeyLength);
        var ring = KeyRing.CreateNew(now);
        try
        {
            var split = ShamirSecretSharing.Split(rootKey, shares, threshold);
            var keys = split.Select(UnsealShare.Encode).ToList();
            foreach (var share in split)
            {
                CryptographicOperations.ZeroMemory(share);
            }

            var blob = KeyRingProtector.Protect(ring, rootKey);
            var (token, record) = IssuedToken.Create("root", isRoot: true, now, expiresAt: null, parentAccessor: null);
            var created = new InstallationRecord(shares, threshold, now);
            await store.InitializeAsync(created, new StoredKeyRing(ring.Generation, blob, now), record, cancellationToken).ConfigureAwait(false);
            installation = created;
            ServerLog.Initialized(logger, shares, threshold, ring.Current.Id);
            return new InitResponse(keys, shares, threshold, token);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
            ring.Destroy();
        }
    }

    /// <summary>Adds one share; at the threshold, reconstructs the root key and decrypts the ring.</summary>
    public async Task<SealStatus> SubmitShareAsync(string? key, CancellationToken cancellationToken)
    {
        var record = await LoadInstallationAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new CofferException(ErrorKind.Conflict, "NotInitialized", "Coffer is not initialised; run 'coffer operator init' first");
        if (!IsSealed)
        {
            return await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        var share = UnsealShare.TryDecode(key)
            ?? throw CofferException.Invalid("InvalidUnsealKey", "the unseal key is not a valid share (base64 of 33 bytes)", "key");
        List<byte[]>? ready = null;
        lock (shareLock)
        {
            if (!pendingShares.Any(s => s[0] == share[0]))
            {
                pendingShares.Add(share);
            }

            if (pendingShares.Count >= record.Threshold)
            {
                ready = [.. pendingShares];
                pendingShares.Clear();
            }
        }

        if (ready is not null)
        {
            var rootKey = ShamirSecretSharing.Combine(ready);
            foreach (var used in ready)
            {
                CryptographicOperations.ZeroMemory(used);
            }

            var stored = await store.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var ring = KeyRingProtector.Unprotect(stored.Blob, rootKey);
                unsealed = new Unsealed(rootKey, ring);
                ServerLog.Unsealed(logger, ring.Current.Id, ring.Generation);
            }
            catch (CryptographicException)
            {
                CryptographicOperations.ZeroMemory(rootKey);
                ServerLog.UnsealFailed(logger);
                throw CofferException.Invalid("UnsealFailed", "the shares given do not reconstruct the root key; progress was reset", "key");
            }
        }

        return await GetStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Mints a new root token when a quorum of unseal shares proves the operators agree: no root token has to be kept
    /// between emergencies. The shares must reconstruct the root key this server is unsealed with.
    /// </summary>
    public async Task<string> GenerateRootAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var current = unsealed ?? throw Sealed();
        var record = await LoadInstallationAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new CofferException(ErrorKind.Conflict, "NotInitialized", "Coffer is not initialised");
        var shares = new List<byte[]>();
        try
        {
            foreach (var (key, index) in keys.Select((k, i) => (k, i)))
            {
                var share = UnsealShare.TryDecode(key)
                    ?? throw CofferException.Invalid("InvalidUnsealKey", $"keys[{index}] is not a valid share (base64 of 33 bytes)", $"keys[{index}]");
                if (shares.Any(s => s[0] == share[0]))
                {
                    throw CofferException.Invalid("DuplicateUnsealKey", $"keys[{index}] repeats a share already given", $"keys[{index}]");
                }

                shares.Add(share);
            }

            if (shares.Count < record.Threshold)
            {
                throw CofferException.Invalid("NotEnoughShares", $"{record.Threshold} unseal keys are needed, {shares.Count} given", "keys");
            }

            var rootKey = ShamirSecretSharing.Combine(shares);
            try
            {
                if (!CryptographicOperations.FixedTimeEquals(rootKey, current.RootKey))
                {
                    ServerLog.GenerateRootRefused(logger);
                    throw new CofferException(ErrorKind.Forbidden, "GenerateRootRefused", "the unseal keys given do not reconstruct this server's root key");
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(rootKey);
            }
        }
        finally
        {
            foreach (var share in shares)
            {
                CryptographicOperations.ZeroMemory(share);
            }
        }

        var (token, issued) = IssuedToken.Create("root", isRoot: true, time.GetUtcNow(), expiresAt: null, parentAccessor: null);
        await tokens.AddAsync(issued, cancellationToken).ConfigureAwait(false);
        ServerLog.RootGenerated(logger, issued.Accessor);
        return token;
    }

    public void ResetProgress()
    {
        lock (shareLock)
        {
            foreach (var share in pendingShares)
            {
                CryptographicOperations.ZeroMemory(share);
            }

            pendingShares.Clear();
        }
    }

    /// <summary>Forgets the root key and the ring.</summary>
    public void Seal()
    {
        var previous = Interlocked.Exchange(ref unsealed, null);
        if (previous is not null)
        {
            CryptographicOperations.ZeroMemory(previous.RootKey);
            previous.Ring.Destroy();
            ServerLog.Sealed(logger);
        }
    }

    /// <summary>Adds a key-encryption key that every new write then uses.</summary>
    public Task<KeyRing> RotateAsync(CancellationToken cancellationToken) =>
        ChangeRingAsync(ring => ring.Rotate(time.GetUtcNow()), cancellationToken);

    public Task<KeyRing> RetireAsync(int keyId, CancellationToken cancellationToken) =>
        ChangeRingAsync(ring => ring.Retire(keyId, time.GetUtcNow()), cancellationToken);

    /// <summary>
    /// Picks up a ring another replica appended (a rotation or retirement made there), so this one can open what that
    /// one wrote and changes the newest ring, not a stale one.
    /// </summary>
    public async Task<KeyRing> RefreshRingAsync(CancellationToken cancellationToken)
    {
        await ringGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await ReloadAsync(cancellationToken).ConfigureAwait(false)).Ring;
        }
        finally
        {
            ringGate.Release();
        }
    }

    private async Task<Unsealed> ReloadAsync(CancellationToken cancellationToken)
    {
        var current = unsealed ?? throw Sealed();
        var stored = await store.GetKeyRingAsync(cancellationToken).ConfigureAwait(false);
        if (stored.Generation <= current.Ring.Generation)
        {
            return current;
        }

        var reloaded = current with { Ring = KeyRingProtector.Unprotect(stored.Blob, current.RootKey) };
        unsealed = reloaded;
        ServerLog.KeyRingChanged(logger, reloaded.Ring.Current.Id, reloaded.Ring.Generation);
        return reloaded;
    }

    private async Task<KeyRing> ChangeRingAsync(Func<KeyRing, KeyRing> change, CancellationToken cancellationToken)
    {
        await ringGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReloadAsync(cancellationToken).ConfigureAwait(false);
            var next = change(current.Ring);
            var blob = KeyRingProtector.Protect(next, current.RootKey);
            await store.AppendKeyRingAsync(new StoredKeyRing(next.Generation, blob, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);

            // Old material stays alive: in-flight requests may still hold the previous ring.
            unsealed = current with { Ring = next };
            ServerLog.KeyRingChanged(logger, next.Current.Id, next.Generation);
            return next;
        }
        finally
        {
            ringGate.Release();
        }
    }

    private async Task<InstallationRecord?> LoadInstallationAsync(CancellationToken cancellationToken) =>
        installation ??= await store.GetAsync(cancellationToken).ConfigureAwait(false);

    private static CofferException Sealed() =>
        new(ErrorKind.Unavailable, "Sealed", "Coffer is sealed; unseal it with 'coffer operator unseal'");

    private sealed record Unsealed(byte[] RootKey, KeyRing Ring);
}
