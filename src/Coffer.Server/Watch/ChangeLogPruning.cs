using System.Data.Common;
using Coffer.Core.Errors;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Watch;

/// <summary>
/// Keeps the change log from growing for ever: changes older than the retention go (the newest always stays). A watch
/// that resumes from a pruned revision gets 410 Gone and reads everything again, as a Kubernetes client would. Safe on
/// every replica at once: the delete is idempotent.
/// </summary>
internal sealed class ChangeLogPruning(ISecretChangeLog changes, TimeSpan retention, TimeProvider time, ILogger<ChangeLogPruning> logger) : BackgroundService
{
    /// <summary>Removes what has outlived the retention; returns how many changes went.</summary>
    public Task<long> RunOnceAsync(CancellationToken cancellationToken) =>
        changes.PruneAsync(time.GetUtcNow() - retention, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A pass per tenth of the retention: the log holds at most a tenth more than it must.
        using var timer = new PeriodicTimer(retention / 10, time);
        do
        {
            try
            {
                var removed = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                if (removed > 0)
                {
                    ServerLog.ChangeLogPruned(logger, removed, retention);
                }
            }
            catch (Exception e) when (e is CofferException or DbException or InvalidOperationException)
            {
                ServerLog.ChangeLogPruneFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
