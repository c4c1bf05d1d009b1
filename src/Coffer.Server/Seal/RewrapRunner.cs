using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Seal;

/// <summary>
/// Re-wraps every data key under the current key-encryption key in batches, in the background,
/// while reads and writes go on. It keeps no cursor: what is left is whatever storage still finds
/// under an older key, so a restart simply carries on. Keys that nothing uses any more are retired.
/// </summary>
internal sealed class RewrapRunner(IRewrapStore store, SealState seal, TimeProvider time, ILogger<RewrapRunner> logger) : IDisposable
{
    public const int BatchSize = 256;

    private readonly Lock stateLock = new();
    private readonly CancellationTokenSource stopping = new();
    private Task? running;
    private bool disposed;
    private RewrapProgress progress = new(false, 0, 0, 0, [], null, null, null);

    public RewrapProgress Progress
    {
        get
        {
            lock (stateLock)
            {
                return progress;
            }
        }
    }

    /// <summary>Starts a run unless one is going; <paramref name="remaining"/> is shown until the first batch counts again.</summary>
    public RewrapProgress Start(long remaining)
    {
        lock (stateLock)
        {
            if (running is { IsCompleted: false })
            {
                return progress;
            }

            var target = seal.Ring.Current.Id;
            progress = new RewrapProgress(true, target, 0, remaining, [], time.GetUtcNow(), null, null);
            running = Task.Run(() => RunAsync(stopping.Token));
            return progress;
        }
    }

    public async Task<long> CountRemainingAsync(CancellationToken cancellationToken)
    {
        var current = seal.Ring.Current.Id;
        var counts = await store.CountByKeyAsync(cancellationToken).ConfigureAwait(false);
        return counts.Where(c => c.Key != current).Sum(c => c.Value);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stopping.Cancel();
        try
        {
            running?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Already recorded in the progress.
        }

        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        long done = 0;
        try
        {
            var remaining = await CountRemainingAsync(cancellationToken).ConfigureAwait(false);
            Update(p => p with { Remaining = remaining });
            while (true)
            {
                var ring = seal.Ring;
                var batch = await store.FindNotWrappedWithAsync(ring.Current.Id, BatchSize, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    break;
                }

                var replacements = batch
                    .Select(row =>
                    {
                        var rewrapped = EnvelopeCipher.Rewrap(ring, row.Address, row.Version, new SealedPayload(row.KeyId, row.WrappedKey, []));
                        return new WrappedKeyReplacement(row, rewrapped.KeyId, rewrapped.WrappedKey);
                    })
                    .ToList();
                done += await store.ReplaceWrappedKeysAsync(replacements, cancellationToken).ConfigureAwait(false);
                remaining = await CountRemainingAsync(cancellationToken).ConfigureAwait(false);
                var rewrappedSoFar = done;
                Update(p => p with { TargetKeyId = ring.Current.Id, Rewrapped = rewrappedSoFar, Remaining = remaining });
            }

            var retired = await RetireUnusedAsync(cancellationToken).ConfigureAwait(false);
            var total = done;
            Update(p => p with { Running = false, Rewrapped = total, Remaining = 0, RetiredKeyIds = retired, FinishedAt = time.GetUtcNow() });
            ServerLog.RewrapFinished(logger, done, seal.Ring.Current.Id, string.Join(',', retired));
        }
#pragma warning disable CA1031 // A background run reports any failure through its progress.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var reason = e is Core.Errors.CofferException ce ? ce.Message : e.GetType().Name;
            Update(p => p with { Running = false, FinishedAt = time.GetUtcNow(), Error = reason });
            ServerLog.RewrapFailed(logger, reason);
        }
    }

    private async Task<List<int>> RetireUnusedAsync(CancellationToken cancellationToken)
    {
        var counts = await store.CountByKeyAsync(cancellationToken).ConfigureAwait(false);
        var retired = new List<int>();
        foreach (var key in seal.Ring.Keys.Where(k => !k.IsRetired).ToList())
        {
            if (key.Id != seal.Ring.Current.Id && counts.GetValueOrDefault(key.Id) == 0)
            {
                await seal.RetireAsync(key.Id, cancellationToken).ConfigureAwait(false);
                retired.Add(key.Id);
            }
        }

        return retired;
    }

    private void Update(Func<RewrapProgress, RewrapProgress> change)
    {
        lock (stateLock)
        {
            progress = change(progress);
        }
    }
}
