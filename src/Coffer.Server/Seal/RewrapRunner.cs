using System.Data.Common;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Seal;

/// <summary>
/// Re-wraps every data key under the current key-encryption key in batches, in the background,
/// while reads and writes go on. It keeps no cursor: what is left is whatever storage still finds
/// under an older key, so a restart simply carries on. Keys that nothing uses any more are retired.
/// A request is kept in the store until a run finishes, and only the replica that leads background
/// work runs it: a new leader, or this one after a restart, picks up a run that was cut short.
/// </summary>
internal sealed class RewrapRunner(
    IRewrapStore store,
    IRewrapRequests requests,
    SealState seal,
    BackgroundLeadership leadership,
    TimeProvider time,
    ILogger<RewrapRunner> logger) : BackgroundService
{
    public const int BatchSize = 256;

    /// <summary>How long a failed run waits before the standing request is tried again.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private readonly Lock stateLock = new();
    private readonly CancellationTokenSource stopping = new();
    private Task? running;
    private DateTimeOffset? failedAt;
    private RewrapProgress progress = new(false, 0, 0, 0, [], null, null, null);

    /// <summary>This replica's run, if it has made one.</summary>
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

    /// <summary>Records a request in the store; this replica starts it at once if it leads, otherwise the leader does within a poll.</summary>
    public async Task RequestAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        await requests.RequestAsync(at, cancellationToken).ConfigureAwait(false);
        if (leadership.IsLeader && !seal.IsSealed)
        {
            Start(at, await CountRemainingAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>This replica's progress, or, when the leader runs it elsewhere, the standing request and what storage still has to do.</summary>
    public async Task<RewrapProgress> StatusAsync(IReadOnlyDictionary<int, long> counts, int currentKeyId, CancellationToken cancellationToken)
    {
        var local = Progress;
        if (local.Running)
        {
            return local;
        }

        var remaining = counts.Where(c => c.Key != currentKeyId).Sum(c => c.Value);
        var requested = await requests.GetAsync(cancellationToken).ConfigureAwait(false);
        return local with { Running = requested is not null, Remaining = remaining, RequestedAt = requested };
    }

    public async Task<long> CountRemainingAsync(CancellationToken cancellationToken)
    {
        var current = seal.Ring.Current.Id;
        var counts = await store.CountByKeyAsync(cancellationToken).ConfigureAwait(false);
        return counts.Where(c => c.Key != current).Sum(c => c.Value);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        Task? run;
        lock (stateLock)
        {
            run = running;
        }

        if (run is not null)
        {
            // The run records its own failure; waiting lets it end before storage closes.
            await run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        // Never disposed itself: the container may dispose this twice and stop it after, and a plain source holds nothing.
        stopping.Cancel();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(BackgroundLeadership.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!leadership.IsLeader || seal.IsSealed || IsRunning || RecentlyFailed)
            {
                continue;
            }

            try
            {
                if (await requests.GetAsync(stoppingToken).ConfigureAwait(false) is { } requestedAt)
                {
                    Start(requestedAt, await CountRemainingAsync(stoppingToken).ConfigureAwait(false));
                }
            }
            catch (Exception e) when (e is DbException or CofferException or InvalidOperationException)
            {
                // Storage is down or the store sealed in between: the next tick asks again.
                ServerLog.RewrapFailed(logger, e is CofferException ce ? ce.Message : e.GetType().Name);
            }
        }
    }

    private bool RecentlyFailed
    {
        get
        {
            lock (stateLock)
            {
                return failedAt is { } failed && time.GetUtcNow() - failed < RetryAfterFailure;
            }
        }
    }

    private bool IsRunning
    {
        get
        {
            lock (stateLock)
            {
                return running is { IsCompleted: false };
            }
        }
    }

    private void Start(DateTimeOffset requestedAt, long remaining)
    {
        lock (stateLock)
        {
            if (running is { IsCompleted: false })
            {
                return;
            }

            var target = seal.Ring.Current.Id;
            progress = new RewrapProgress(true, target, 0, remaining, [], time.GetUtcNow(), null, null) { RequestedAt = requestedAt };
            running = Task.Run(() => RunAsync(requestedAt, stopping.Token));
        }
    }

    private async Task RunAsync(DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        long done = 0;
        try
        {
            // A rotation made on another replica must be the target here too.
            await seal.RefreshRingAsync(cancellationToken).ConfigureAwait(false);
            var remaining = await CountRemainingAsync(cancellationToken).ConfigureAwait(false);
            Update(p => p with { TargetKeyId = seal.Ring.Current.Id, Remaining = remaining });
            while (true)
            {
                if (!leadership.IsLeader)
                {
                    // Another replica holds the lock now and picks the standing request up; two runs would only race.
                    Update(p => p with { Running = false, FinishedAt = time.GetUtcNow(), Error = "this replica stopped leading background work; the leader carries on" }, failed: time.GetUtcNow());
                    return;
                }

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
            await requests.ClearAsync(requestedAt, cancellationToken).ConfigureAwait(false);
            var total = done;
            Update(p => p with { Running = false, Rewrapped = total, Remaining = 0, RetiredKeyIds = retired, FinishedAt = time.GetUtcNow() });
            ServerLog.RewrapFinished(logger, done, seal.Ring.Current.Id, string.Join(',', retired));
        }
#pragma warning disable CA1031 // A background run reports any failure through its progress.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var reason = e is CofferException ce ? ce.Message : e.GetType().Name;
            Update(p => p with { Running = false, FinishedAt = time.GetUtcNow(), Error = reason }, failed: time.GetUtcNow());
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

    /// <summary>Changes the progress; a run that ends records when it failed (<paramref name="failed"/>) or clears it.</summary>
    private void Update(Func<RewrapProgress, RewrapProgress> change, DateTimeOffset? failed = null)
    {
        lock (stateLock)
        {
            progress = change(progress);
            if (!progress.Running)
            {
                failedAt = failed;
            }
        }
    }
}
