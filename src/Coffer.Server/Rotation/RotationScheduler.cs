using System.Text;
using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Server.Seal;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>
/// Each pass: rotates scheduled secrets that fell due (under a token derived from the current version, so a pass cut short is
/// resumed, not repeated), sends due-soon notices once per due date, revokes previous credentials whose grace period ended,
/// and counts overdue secrets for the metric.
/// </summary>
internal sealed class RotationScheduler(
    INamespaceStore namespaces,
    IRotationObjectStore objects,
    RotationStatusReader status,
    RotationRunner runner,
    ISecretRotationStore rotations,
    RotationSettings settings,
    RotationMetrics metrics,
    RotationHttp http,
    SealState seal,
    Hosting.BackgroundLeadership leadership,
    TimeProvider time,
    ILogger<RotationScheduler> logger) : BackgroundService
{
    public const string Actor = "coffer-rotation-scheduler";

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim pass = new(1, 1);

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (seal.IsSealed)
            {
                return;
            }

            var now = time.GetUtcNow();
            long overdue = 0;
            foreach (var ns in await namespaces.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                var nsPolicy = await settings.GetNamespacePolicyAsync(ns.Name, cancellationToken).ConfigureAwait(false);
                foreach (var item in await status.ListAsync(ns.Name, now, cancellationToken).ConfigureAwait(false))
                {
                    overdue += await HandleAsync(item, nsPolicy, now, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
            }

            metrics.SetOverdue(overdue);
            foreach (var due in await rotations.ListRevocationsDueAsync(now, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await runner.RevokePreviousAsync(due, cancellationToken).ConfigureAwait(false);
                }
                catch (CofferException e)
                {
                    RotationLog.ScheduledFailed(logger, due.Address.Namespace, due.Address.Name, e.Message);
                }
            }
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
            // One replica runs the schedule; the others stand by to take the lock if it dies.
            if (!leadership.IsLeader)
            {
                continue;
            }

            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CofferException or InvalidOperationException or System.Data.Common.DbException)
            {
                RotationLog.ScheduledFailed(logger, "-", "-", e.GetType().Name);
            }
        }
    }

    /// <summary>Rotates or notifies as due; true if the secret is still overdue afterwards.</summary>
    private async Task<bool> HandleAsync(RotationStatusItem item, NamespacePolicyDocument nsPolicy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var address = new SecretAddress(item.Namespace, item.Name);
        try
        {
            if (item.Scheduled && item.DueAt <= now)
            {
                await runner.RotateAsync(address, $"scheduled-v{item.Version}", Actor, cancellationToken).ConfigureAwait(false);
                return false;
            }
            else if (nsPolicy.NotifyWebhook is { } url && item.DueAt > now && item.DueAt - RotationSettings.NotifyBeforeOf(nsPolicy) <= now)
            {
                await NotifyAsync(address, new Uri(url), item, now, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (CofferException e)
        {
            RotationLog.ScheduledFailed(logger, item.Namespace, item.Name, e.Message);
        }

        return item.DueAt <= now;
    }

    /// <summary>Once per secret and due date: the due date sent is remembered.</summary>
    private async Task NotifyAsync(SecretAddress address, Uri url, RotationStatusItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var marker = item.DueAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (await objects.GetAsync(RotationSettings.NoticeKind, address.Namespace, address.Name, cancellationToken).ConfigureAwait(false) == marker)
        {
            return;
        }

        var body = JsonSerializer.Serialize(new RotationDueNotice("RotationDue", address.Namespace, address.Name, item.DueAt, item.State), RotationJsonContext.Default.RotationDueNotice);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.Client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                RotationLog.NoticeFailed(logger, address.Namespace, address.Name, $"answered {(int)response.StatusCode}");
                return;
            }
        }
        catch (HttpRequestException e)
        {
            RotationLog.NoticeFailed(logger, address.Namespace, address.Name, e.HttpRequestError.ToString());
            return;
        }

        await objects.PutAsync(RotationSettings.NoticeKind, address.Namespace, address.Name, marker, now, cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        pass.Dispose();
        base.Dispose();
    }
}
