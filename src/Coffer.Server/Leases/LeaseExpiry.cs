using System.Data.Common;
using Coffer.Core.Errors;
using Coffer.Server.Seal;

namespace Coffer.Server.Leases;

/// <summary>Revokes expired leases on the background leader's timer; a lease is marked revoked only once its role is gone, so a failure retries.</summary>
internal sealed class LeaseExpiry(DynamicCredentials credentials, SealState seal, Hosting.BackgroundLeadership leadership, TimeProvider time, ILogger<LeaseExpiry> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim pass = new(1, 1);

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return seal.IsSealed ? 0 : await credentials.RevokeExpiredAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pass.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!leadership.IsLeader)
            {
                continue;
            }

            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CofferException or DbException or InvalidOperationException)
            {
                Rotation.RotationLog.LeaseRevokeFailed(logger, "-", e.GetType().Name);
            }
        }
    }

    public override void Dispose()
    {
        pass.Dispose();
        base.Dispose();
    }
}
