using Coffer.Core.Errors;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Audit;

/// <summary>
/// Forces the audit file to disk at an interval and then drops the copies of its entries that changes kept in their
/// transactions: until then those copies are what makes a change's record durable.
/// </summary>
internal sealed class AuditOutboxFlusher(AuditLog audit, IAuditOutbox outbox, TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var prunedKept = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var kept = audit.KeptWithChanges;
                if (kept == prunedKept)
                {
                    continue;
                }

                try
                {
                    var durable = await audit.FlushAsync(stoppingToken).ConfigureAwait(false);
                    await outbox.PruneAsync(audit.LogId, durable - 1, stoppingToken).ConfigureAwait(false);
                    prunedKept = kept;
                }
                catch (CofferException)
                {
                    // The audit log logged the failed flush; the copies stay, and keep the changes' records durable, until one works.
                }
#pragma warning disable CA1031 // A storage failure must not stop the loop; the copies stay until the next tick.
                catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    ServerLog.AuditOutboxPruneFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the final checkpoint forces the file; copies left over are dropped at the next start.
        }
    }
}
