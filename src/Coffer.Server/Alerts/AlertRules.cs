using Coffer.Server.Audit;

namespace Coffer.Server.Alerts;

/// <summary>
/// The irregular-access rules, as state over the audit stream. Not thread-safe: one reader feeds it entries in order.
/// Time is each entry's own, so the rules judge what happened, not when it was processed.
/// </summary>
internal sealed class AlertRules(AlertOptions options)
{
    public const string DeniedBurst = "denied-burst";
    public const string NewSecretRead = "new-secret-read";
    public const string DistinctSecrets = "distinct-secrets";
    public const string NewServiceAccountSource = "new-serviceaccount-source";
    public const string RootTokenUse = "root-token-use";

    private const int MaxTracked = 100_000;
    private static readonly TimeSpan RootAlertInterval = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, Queue<DateTimeOffset>> denials = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Identity, string Secret), DateTimeOffset> lastReads = [];
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> recentReads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> sources = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Rule, string Identity), DateTimeOffset> quietUntil = [];
    private long rootUses;

    /// <summary>Learns from past entries (the audit log at start) without alerting, so a restart does not make every read new.</summary>
    public void Learn(AuditEntry entry) => _ = Evaluate(entry, alert: false);

    public IReadOnlyList<AccessAlert> Evaluate(AuditEntry entry) => Evaluate(entry, alert: true);

    private List<AccessAlert> Evaluate(AuditEntry entry, bool alert)
    {
        var found = new List<AccessAlert>();
        if (entry.Kind != AuditEntry.RequestKind || entry.Stage != "ResponseComplete")
        {
            return found;
        }

        var identity = entry.User ?? (entry.Accessor is { } a ? $"accessor:{a}" : null);
        if (identity is null)
        {
            return found;
        }

        var now = entry.Time;
        if (options.RootTokenUse && entry.Root == true)
        {
            // Every use counts; a busy root token raises one alert a minute, naming how many uses it covers.
            rootUses++;
            if (Raise(RootTokenUse, identity, now, RootAlertInterval))
            {
                var more = rootUses > 1 ? $" ({rootUses - 1} more uses since the last alert)" : string.Empty;
                found.Add(new(RootTokenUse, identity, $"the root token was used: {entry.Method} {entry.Path} from {entry.Source ?? "unknown"}{more}", now));
                rootUses = 0;
            }
        }

        if (entry.Status == 403)
        {
            CheckDenials(identity, now, found);
        }

        if (options.NewServiceAccountSource && entry.Source is { } source && identity.StartsWith("system:serviceaccount:", StringComparison.Ordinal))
        {
            CheckSource(identity, source, now, found);
        }

        if (entry.Status is >= 200 and < 300 && entry.Verb == "get" && entry.Resource is ("secrets" or "secrets/versions") && entry.Namespace is { } ns && entry.Name is { } name)
        {
            var secret = $"{ns}/{name}";
            CheckNewRead(identity, secret, now, found);
            CheckDistinct(identity, secret, now, found);
        }

        if (!alert)
        {
            found.Clear();
        }

        Prune(now);
        return found;
    }

    private void CheckDenials(string identity, DateTimeOffset now, List<AccessAlert> found)
    {
        if (options.DeniedBurstThreshold == 0)
        {
            return;
        }

        var times = Get(denials, identity);
        times.Enqueue(now);
        while (times.Count > 0 && now - times.Peek() > options.DeniedBurstWindow)
        {
            times.Dequeue();
        }

        if (times.Count >= options.DeniedBurstThreshold && Raise(DeniedBurst, identity, now, options.DeniedBurstWindow))
        {
            found.Add(new(DeniedBurst, identity, $"{times.Count} requests denied within {options.DeniedBurstWindow}", now));
        }
    }

    private void CheckSource(string identity, string source, DateTimeOffset now, List<AccessAlert> found)
    {
        if (!sources.TryGetValue(identity, out var seen))
        {
            // The first address an identity is seen from is where it lives, not news.
            sources[identity] = [source];
            return;
        }

        if (seen.Add(source))
        {
            found.Add(new(NewServiceAccountSource, identity, $"service account used from a new source address {source} (seen before: {string.Join(", ", seen.Where(s => s != source).Take(5))})", now));
        }
    }

    private void CheckNewRead(string identity, string secret, DateTimeOffset now, List<AccessAlert> found)
    {
        if (options.NewSecretReadAfter == TimeSpan.Zero)
        {
            return;
        }

        var key = (identity, secret);
        var isNew = !lastReads.TryGetValue(key, out var last) || now - last > options.NewSecretReadAfter;
        lastReads[key] = now;
        if (isNew)
        {
            found.Add(new(NewSecretRead, identity, $"read {secret}, which it had not read in the last {options.NewSecretReadAfter.TotalDays:0.#} days", now));
        }
    }

    private void CheckDistinct(string identity, string secret, DateTimeOffset now, List<AccessAlert> found)
    {
        if (options.DistinctSecretsThreshold == 0)
        {
            return;
        }

        // Each identity's secrets with their last read: memory grows with distinct secrets, not with reads.
        if (!recentReads.TryGetValue(identity, out var reads))
        {
            reads = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            recentReads[identity] = reads;
        }

        reads[secret] = now;
        if (reads.Count <= options.DistinctSecretsThreshold)
        {
            return;
        }

        foreach (var stale in reads.Where(r => now - r.Value > options.DistinctSecretsWindow).Select(r => r.Key).ToList())
        {
            reads.Remove(stale);
        }

        if (reads.Count > options.DistinctSecretsThreshold && Raise(DistinctSecrets, identity, now, options.DistinctSecretsWindow))
        {
            found.Add(new(DistinctSecrets, identity, $"read {reads.Count} distinct secrets within {options.DistinctSecretsWindow}", now));
        }
    }

    /// <summary>One alert per rule and identity per window: a burst that goes on does not flood the receiver.</summary>
    private bool Raise(string rule, string identity, DateTimeOffset now, TimeSpan quiet)
    {
        if (quietUntil.TryGetValue((rule, identity), out var until) && now < until)
        {
            return false;
        }

        quietUntil[(rule, identity)] = now + quiet;
        return true;
    }

    /// <summary>Bounds memory: drops the oldest reads once too many pairs are tracked.</summary>
    private void Prune(DateTimeOffset now)
    {
        if (lastReads.Count <= MaxTracked)
        {
            return;
        }

        foreach (var key in lastReads.Where(p => now - p.Value > options.NewSecretReadAfter).Select(p => p.Key).ToList())
        {
            lastReads.Remove(key);
        }

        foreach (var key in lastReads.OrderBy(p => p.Value).Take(Math.Max(0, lastReads.Count - (MaxTracked * 9 / 10))).Select(p => p.Key).ToList())
        {
            lastReads.Remove(key);
        }
    }

    private static Queue<T> Get<T>(Dictionary<string, Queue<T>> map, string key)
    {
        if (!map.TryGetValue(key, out var queue))
        {
            queue = new Queue<T>();
            map[key] = queue;
        }

        return queue;
    }
}
