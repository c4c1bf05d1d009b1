using System.Diagnostics;
using Coffer.Core.Errors;
using Coffer.Server.Audit;
using Coffer.Server.Rotation;
using Coffer.Server.Seal;
using Prometheus;

namespace Coffer.Server.Metrics;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own so that servers in one process never mix their counts.
/// Labels are namespaces, verbs, resources, routes and rule names: never a secret's value, and never a name a caller
/// made up (only namespaces of requests that succeeded, which therefore exist).
/// </summary>
internal sealed class CofferMetrics
{
    private readonly Counter reads;
    private readonly Counter writes;
    private readonly Counter denials;
    private readonly Counter alerts;
    private readonly Histogram storage;

    public CofferMetrics(SealState seal, TimeProvider time, IServiceProvider services)
    {
        var factory = Factory;
        reads = factory.CreateCounter("coffer_secret_reads_total", "Secret reads answered with success, by namespace.", "namespace");
        writes = factory.CreateCounter("coffer_secret_writes_total", "Secret changes answered with success (create, update, patch, delete, rollback), by namespace.", "namespace");
        denials = factory.CreateCounter("coffer_access_denied_total", "Requests refused by access control (403), by verb and resource.", "verb", "resource");
        alerts = factory.CreateCounter("coffer_alerts_total", "Irregular-access alerts raised, by rule.", "rule");
        storage = factory.CreateHistogram(
            "coffer_storage_operation_duration_seconds",
            "Time spent in storage per secret operation.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16) });
        var sealedGauge = factory.CreateGauge("coffer_sealed", "1 while the server is sealed, else 0.");
        var kekAge = factory.CreateGauge("coffer_key_encryption_key_age_seconds", "Age of the current key-encryption key; 0 while sealed.");
        var auditEntries = factory.CreateCounter("coffer_audit_entries_total", "Audit entries written to at least one sink.");
        var auditFailures = factory.CreateCounter("coffer_audit_sink_failures_total", "Audit writes that no sink took; each refused its requests.");
        var auditPending = factory.CreateGauge("coffer_audit_pending_entries", "Audit entries waiting to be written (the audit queue depth).");
        var overdue = factory.CreateGauge("coffer_secrets_rotation_overdue", "Secrets past their rotation due date, as of the rotation scheduler's last pass.");
        var leader = factory.CreateGauge("coffer_background_leader", "1 on the replica that runs scheduled background work (rotation, lease expiry), else 0.");
        Registry.AddBeforeCollectCallback(() =>
        {
            sealedGauge.Set(seal.IsSealed ? 1 : 0);
            kekAge.Set(KeyAge(seal, time));
            overdue.Set(services.GetService<RotationMetrics>()?.Overdue ?? 0);
            leader.Set(services.GetService<Hosting.BackgroundLeadership>()?.IsLeader == true ? 1 : 0);
            if (services.GetService<AuditLog>() is { } audit)
            {
                auditEntries.IncTo(audit.Count);
                auditFailures.IncTo(audit.Failures);
                auditPending.Set(audit.Pending);
            }
        });
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    /// <summary>Makes this server's metrics, the HTTP middleware's included.</summary>
    public MetricFactory Factory
    {
        get
        {
            var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

            // Coffer exports no traces, so an exemplar would name a trace nobody has; taking one costs every observation.
            factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = (_, _) => Exemplar.None };
            return factory;
        }
    }

    /// <summary>Counts a finished request from its audit entry.</summary>
    public void Observe(AuditEntry entry)
    {
        if (entry.Status == StatusCodes.Status403Forbidden)
        {
            denials.WithLabels(entry.Verb ?? "none", entry.Resource ?? "none").Inc();
            return;
        }

        if (entry.Status is not (>= 200 and < 300) || entry.Namespace is null || entry.Resource is not ("secrets" or "secrets/versions"))
        {
            return;
        }

        (entry.Verb is "get" or "list" or "watch" ? reads : writes).WithLabels(entry.Namespace).Inc();
    }

    public void AlertRaised(string rule) => alerts.WithLabels(rule).Inc();

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) for a storage operation.</summary>
    public void StorageTime(string operation, long started) =>
        storage.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);

    private static double KeyAge(SealState seal, TimeProvider time)
    {
        try
        {
            return seal.IsSealed ? 0 : Math.Max(0, (time.GetUtcNow() - seal.Ring.Current.CreatedAt).TotalSeconds);
        }
        catch (CofferException)
        {
            // Sealed between the check and the read.
            return 0;
        }
    }
}
