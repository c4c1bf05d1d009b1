using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Coffer.Kubernetes.Reload;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>
/// Keeps native Secrets in step with Coffer. Work arrives from four places: the CofferSecret watch, the Secret watch
/// (drift, and reloads), one Coffer watch stream per (role, Coffer namespace), and a periodic resync; it is queued by
/// CofferSecret key, de-duplicated, and reconciled one at a time.
/// </summary>
internal sealed class CofferSecretController(IKubernetes kube, CofferConnection coffer, ControllerOptions options, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, CofferSecretResource> resources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Role, string Namespace, string Name), CofferSecretData> sourceCache = new();
    private readonly ConcurrentDictionary<(string Role, string Namespace), Task> cofferWatches = new();

    /// <summary>Counts cache invalidations, so a read that began before one never stores what it read after it.</summary>
    private long invalidations;

    /// <summary>Streams that are open and caught up: only their secrets may be served from the cache.</summary>
    private readonly ConcurrentDictionary<(string Role, string Namespace), byte> liveWatches = new();
    private readonly ReconcileQueue queue = new(options.RetryDelay, time, logger);
    private readonly SecretDataHash hasher = new(options.HashKey);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<Task, byte> rollouts = new();
    private ReloadCoordinator? reload;
    private Task running = Task.CompletedTask;
    private int disposed;

    /// <summary>Reconciles finished so far; tests and the benchmark wait on it.</summary>
    public long Reconciles => queue.Reconciles;

    /// <summary>How many times cached Coffer data was dropped (for tests that wait on a change being announced).</summary>
    internal long Invalidations => Interlocked.Read(ref invalidations);

    public ReloadCoordinator Reload => reload ?? throw new InvalidOperationException("the controller has not started");

    public void Start()
    {
        reload = new ReloadCoordinator(kube, hasher, options.ReloadDebounce, time, logger, stopping.Token, RolloutStartedAsync);
        var token = stopping.Token;
        running = Task.WhenAll(
            Task.Run(() => queue.RunAsync(ReconcileAsync, token), token),
            Task.Run(() => WatchResourcesAsync(token), token),
            Task.Run(() => WatchSecretsAsync(token), token),
            Task.Run(() => ResyncAsync(token), token));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        queue.Complete();
        try
        {
            await running.ConfigureAwait(false);
            await Task.WhenAll(cofferWatches.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (reload is not null)
        {
            await reload.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(rollouts.Keys).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Start();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rollouts being followed; tests wait for none.</summary>
    public int FollowedRollouts => rollouts.Count;

    private static string Key(string ns, string name) => $"{ns}/{name}";

    /// <summary>
    /// Workloads were restarted because managed Secrets changed: tell Coffer, for each Coffer secret behind them, so it
    /// holds the previous credential; then follow the rollout and say when it completed, so Coffer revokes it.
    /// </summary>
    private async Task RolloutStartedAsync(string ns, IReadOnlySet<string> changed, IReadOnlyList<RestartedWorkload> workloads, CancellationToken cancellationToken)
    {
        var sources = new HashSet<(string Role, string Namespace, string Name, long Version)>();
        foreach (var resource in resources.Values.Where(r => r.Namespace == ns && changed.Contains(r.TargetName) && r.Status?.SyncedVersion is not null))
        {
            try
            {
                sources.Add((SecretProjection.Role(resource), SecretProjection.SourceNamespace(resource), SecretProjection.SourceName(resource), resource.Status!.SyncedVersion!.Value));
            }
            catch (ProjectionFailure)
            {
                // Its own reconcile reports the problem.
            }
        }

        if (sources.Count == 0)
        {
            return;
        }

        var names = workloads.Select(w => w.ToString()).ToList();
        foreach (var source in sources)
        {
            await ReportRolloutAsync(source, "Started", names, cancellationToken).ConfigureAwait(false);
        }

        var token = stopping.Token;
        var follow = Task.Run(() => FollowRolloutAsync(sources, workloads, names, token), token);
        rollouts.TryAdd(follow, 0);
        _ = follow.ContinueWith(t => rollouts.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task FollowRolloutAsync(HashSet<(string Role, string Namespace, string Name, long Version)> sources, IReadOnlyList<RestartedWorkload> workloads, List<string> names, CancellationToken cancellationToken)
    {
        try
        {
            if (!await Reload.WaitForRolloutAsync(workloads, options.RolloutTimeout, cancellationToken).ConfigureAwait(false))
            {
                foreach (var (_, ns, name, version) in sources)
                {
                    OperatorLog.RolloutReportFailed(logger, ns, name, version, $"the rollout did not complete within {options.RolloutTimeout}");
                }

                return;
            }

            foreach (var source in sources)
            {
                await ReportRolloutAsync(source, "Complete", names, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException)
        {
            foreach (var (_, ns, name, version) in sources)
            {
                OperatorLog.RolloutReportFailed(logger, ns, name, version, e.Message);
            }
        }
    }

    private async Task ReportRolloutAsync((string Role, string Namespace, string Name, long Version) source, string state, List<string> workloads, CancellationToken cancellationToken)
    {
        try
        {
            var revocation = await coffer.ReportRolloutAsync(source.Role, source.Namespace, source.Name, source.Version, state, workloads, cancellationToken).ConfigureAwait(false);
            OperatorLog.RolloutReported(logger, source.Namespace, source.Name, source.Version, state, revocation ?? "none");
        }
        catch (Exception e) when (e is CofferRequestFailed or HttpRequestException or IOException or JsonException)
        {
            // Not allowed or unreachable: Coffer falls back to its grace period, so no credential outlives its use for long.
            OperatorLog.RolloutReportFailed(logger, source.Namespace, source.Name, source.Version, e.Message);
        }
    }

    private void Enqueue(string key) => queue.Enqueue(key);

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (!resources.TryGetValue(key, out var resource))
        {
            return;
        }

        string role;
        CofferSecretData source;
        try
        {
            role = SecretProjection.Role(resource);
            var sourceNs = SecretProjection.SourceNamespace(resource);
            var sourceName = SecretProjection.SourceName(resource);
            EnsureCofferWatch(role, sourceNs);
            source = await ReadSourceAsync(role, sourceNs, sourceName, cancellationToken).ConfigureAwait(false);
        }
        catch (ProjectionFailure failure)
        {
            await NotReadyAsync(resource, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (CofferRequestFailed failure) when (failure.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            await NotReadyAsync(resource, failure.Status == HttpStatusCode.NotFound ? "CofferSecretNotFound" : "CofferRefused", failure.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        Dictionary<string, byte[]> data;
        try
        {
            data = SecretProjection.Data(resource, source);
        }
        catch (ProjectionFailure failure)
        {
            await NotReadyAsync(resource, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var hash = hasher.Compute(data);
        var desired = SecretProjection.Desired(resource, source, hash, data);
        var existing = await ReadSecretAsync(resource.Namespace, resource.TargetName, cancellationToken).ConfigureAwait(false);
        var plan = SecretApplyPlan.For(resource, desired, existing);
        switch (plan.Action)
        {
            case SecretApplyAction.Refuse:
                await NotReadyAsync(resource, plan.RefusalReason!, plan.RefusalMessage!, cancellationToken).ConfigureAwait(false);
                return;
            case SecretApplyAction.Create:
                try
                {
                    await kube.CoreV1.CreateNamespacedSecretAsync(plan.Write!, resource.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // Created meanwhile (by us before a restart, or by someone else): look again.
                    Enqueue(key);
                    return;
                }

                break;
            case SecretApplyAction.Replace:
                try
                {
                    await kube.CoreV1.ReplaceNamespacedSecretAsync(plan.Write!, resource.TargetName, resource.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
                {
                    // Changed or deleted since it was read: the next pass reads it afresh.
                    Enqueue(key);
                    return;
                }

                break;
        }

        if (plan.Action != SecretApplyAction.None)
        {
            OperatorLog.Synced(logger, resource.Namespace, resource.Name, resource.TargetName, $"{source.Namespace}/{source.Name}", source.Version, plan.Action.ToString());
        }

        if (plan.Drift)
        {
            OperatorLog.DriftRestored(logger, resource.Namespace, resource.TargetName);
            await RecordEventAsync(resource, "Warning", "DriftRestored", $"Secret {resource.TargetName} had been changed or deleted outside Coffer; restored to Coffer version {source.Version}", cancellationToken).ConfigureAwait(false);
        }

        var synced = plan.Action != SecretApplyAction.None || resource.Status?.DataHash != hash || resource.Status?.SyncedVersion != source.Version;
        await SetStatusAsync(
            resource,
            true,
            "Synced",
            $"Secret {resource.TargetName} holds Coffer {source.Namespace}/{source.Name} version {source.Version}",
            source.Version,
            hash,
            synced ? time.GetUtcNow() : resource.Status?.LastSyncTime,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<CofferSecretData> ReadSourceAsync(string role, string ns, string name, CancellationToken cancellationToken)
    {
        // Without a live stream nothing would tell the cache it is stale: read Coffer every time until it is back.
        if (liveWatches.ContainsKey((role, ns)) && sourceCache.TryGetValue((role, ns, name), out var cached))
        {
            return cached;
        }

        var generation = Interlocked.Read(ref invalidations);
        CofferSecretData data;
        try
        {
            data = await coffer.GetSecretAsync(role, ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferRequestFailed e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            // The token expired or was revoked: log in again once.
            coffer.Forget(role);
            data = await coffer.GetSecretAsync(role, ns, name, cancellationToken).ConfigureAwait(false);
        }

        // A change announced while the read was under way may be newer than what it returned: use it, but do not keep it,
        // or the reconcile that change queued would be served the older data from the cache.
        var key = (role, ns, name);
        sourceCache[key] = data;
        if (Interlocked.Read(ref invalidations) != generation)
        {
            sourceCache.TryRemove(KeyValuePair.Create(key, data));
        }

        return data;
    }

    private async Task<V1Secret?> ReadSecretAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kube.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task NotReadyAsync(CofferSecretResource resource, string reason, string message, CancellationToken cancellationToken)
    {
        OperatorLog.NotSynced(logger, resource.Namespace, resource.Name, reason, message);
        var before = resource.Status?.Conditions?.FirstOrDefault(c => c.Type == StatusConditions.Ready);
        if (before is null || before.Status != "False" || before.Reason != reason)
        {
            await RecordEventAsync(resource, "Warning", reason, message, cancellationToken).ConfigureAwait(false);
        }

        await SetStatusAsync(resource, false, reason, message, resource.Status?.SyncedVersion, resource.Status?.DataHash, resource.Status?.LastSyncTime, cancellationToken).ConfigureAwait(false);
    }

    private async Task SetStatusAsync(CofferSecretResource resource, bool ready, string reason, string message, long? version, string? hash, DateTimeOffset? lastSync, CancellationToken cancellationToken)
    {
        var previous = resource.Status;
        var conditions = StatusConditions.WithReady(previous, ready, reason, message, time.GetUtcNow());
        var status = new CofferSecretStatus(conditions, version, hash, lastSync, resource.Metadata.Generation);
        if (previous is not null
            && previous.SyncedVersion == status.SyncedVersion
            && previous.DataHash == status.DataHash
            && previous.LastSyncTime == status.LastSyncTime
            && previous.ObservedGeneration == status.ObservedGeneration
            && (previous.Conditions ?? []).SequenceEqual(conditions))
        {
            return;
        }

        var patch = JsonSerializer.Serialize(new Dictionary<string, object> { ["status"] = status }, KubernetesJsonOptions.Value);
        try
        {
            await kube.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(patch, V1Patch.PatchType.MergePatch),
                CofferSecretNames.Group,
                CofferSecretNames.Version,
                resource.Namespace,
                CofferSecretNames.Plural,
                resource.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            resources.TryUpdate(Key(resource.Namespace, resource.Name), resource with { Status = status }, resource);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile; its watch event handles the rest.
        }
    }

    private Task RecordEventAsync(CofferSecretResource resource, string type, string reason, string message, CancellationToken cancellationToken) =>
        OperatorEvents.RecordAsync(
            kube,
            logger,
            new V1ObjectReference
            {
                ApiVersion = CofferSecretNames.ApiVersion,
                Kind = CofferSecretNames.Kind,
                Name = resource.Name,
                NamespaceProperty = resource.Namespace,
                Uid = resource.Metadata.Uid,
            },
            type,
            reason,
            message,
            time.GetUtcNow(),
            cancellationToken);

    /// <summary>Lists, then watches, CofferSecrets cluster-wide; a relist after any break finds deletions missed meanwhile.</summary>
    private async Task WatchResourcesAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await kube.CustomObjects.ListClusterCustomObjectAsync<CofferSecretList>(
                    CofferSecretNames.Group, CofferSecretNames.Version, CofferSecretNames.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in list.Items ?? [])
                {
                    var key = Key(item.Namespace, item.Name);
                    seen.Add(key);
                    resources[key] = item;
                    Enqueue(key);
                }

                foreach (var gone in resources.Keys.Where(k => !seen.Contains(k)).ToList())
                {
                    if (resources.TryRemove(gone, out var removed))
                    {
                        await ApplyDeletionAsync(removed.Namespace, removed.TargetName, gone, cancellationToken).ConfigureAwait(false);
                    }
                }

                await CollectOrphansAsync(cancellationToken).ConfigureAwait(false);

                var watch = kube.CustomObjects.WatchListClusterCustomObjectAsync(
                    CofferSecretNames.Group,
                    CofferSecretNames.Version,
                    CofferSecretNames.Plural,
                    resourceVersion: list.Metadata?.ResourceVersion,
                    cancellationToken: cancellationToken);
                await foreach (var (type, raw) in watch.ConfigureAwait(false))
                {
                    if (type is not (WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted))
                    {
                        continue;
                    }

                    var item = KubernetesJson.Deserialize<CofferSecretResource>(KubernetesJson.Serialize(raw));
                    var key = Key(item.Namespace, item.Name);
                    switch (type)
                    {
                        case WatchEventType.Added or WatchEventType.Modified:
                            resources[key] = item;
                            Enqueue(key);
                            break;
                        case WatchEventType.Deleted:
                            resources.TryRemove(key, out _);
                            await ApplyDeletionAsync(item.Namespace, item.TargetName, key, cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException or KubernetesException)
            {
                OperatorLog.WatchEnded(logger, "CofferSecrets", e.Message);
            }

            await PauseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Native Secrets whose CofferSecret vanished while the operator was not watching get their deletion policy now.</summary>
    private async Task CollectOrphansAsync(CancellationToken cancellationToken)
    {
        var managed = await kube.CoreV1.ListSecretForAllNamespacesAsync(
            labelSelector: $"{CofferSecretNames.ManagedByLabel}={CofferSecretNames.ManagedByValue}", cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var secret in managed.Items)
        {
            if (secret.Metadata.Annotations?.TryGetValue(CofferSecretNames.OwnerAnnotation, out var owner) == true && !resources.ContainsKey(owner))
            {
                await ApplyDeletionAsync(secret.Metadata.NamespaceProperty, secret.Metadata.Name, owner, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The deletion policy recorded on the target: Delete removes it (or, for Merge, our keys); Retain leaves the data and lets go of it.</summary>
    private async Task ApplyDeletionAsync(string ns, string target, string ownerKey, CancellationToken cancellationToken)
    {
        var secret = await ReadSecretAsync(ns, target, cancellationToken).ConfigureAwait(false);
        var annotations = secret?.Metadata.Annotations;
        if (secret is null || annotations?.TryGetValue(CofferSecretNames.OwnerAnnotation, out var owner) != true || owner != ownerKey)
        {
            return;
        }

        var deletion = annotations.TryGetValue(CofferSecretNames.DeletionPolicyAnnotation, out var d) ? d : CofferSecretNames.Delete;
        var creation = annotations.TryGetValue(CofferSecretNames.CreationPolicyAnnotation, out var c) ? c : CofferSecretNames.Owner;
        string outcome;
        if (deletion == CofferSecretNames.Delete && creation != CofferSecretNames.Merge)
        {
            try
            {
                await kube.CoreV1.DeleteNamespacedSecretAsync(target, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }

            outcome = "deleted";
        }
        else
        {
            if (deletion == CofferSecretNames.Delete && annotations.TryGetValue(CofferSecretNames.MergedKeysAnnotation, out var merged))
            {
                foreach (var key in merged.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    secret.Data?.Remove(key);
                }
            }

            foreach (var key in annotations.Keys.Where(k => k.StartsWith("coffer.dev/", StringComparison.Ordinal)).ToList())
            {
                annotations.Remove(key);
            }

            secret.Metadata.Labels?.Remove(CofferSecretNames.ManagedByLabel);
            secret.Metadata.OwnerReferences = secret.Metadata.OwnerReferences?.Where(r => r.Kind != CofferSecretNames.Kind).ToList();
            try
            {
                await kube.CoreV1.ReplaceNamespacedSecretAsync(secret, target, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                // Changed meanwhile: the next relist finds it still marked and tries again.
            }

            outcome = deletion == CofferSecretNames.Delete ? "had its keys removed" : "retained";
        }

        OperatorLog.Deleted(logger, ownerKey, $"{ns}/{target}", outcome);
    }

    /// <summary>Every Secret in the cluster: managed ones for drift, all of them for reloads.</summary>
    private async Task WatchSecretsAsync(CancellationToken cancellationToken)
    {
        var caughtUp = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await kube.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var secret in list.Items)
                {
                    Reload.Observe(secret);
                }

                if (!caughtUp)
                {
                    await Reload.CatchUpAsync(list.Items.Select(s => s.Metadata.NamespaceProperty), cancellationToken).ConfigureAwait(false);
                    caughtUp = true;
                }

                var watch = kube.CoreV1.WatchListSecretForAllNamespacesAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancellationToken);
                await foreach (var (type, secret) in watch.ConfigureAwait(false))
                {
                    if (type is WatchEventType.Bookmark or WatchEventType.Error)
                    {
                        continue;
                    }

                    if (type == WatchEventType.Deleted)
                    {
                        Reload.Forget(secret);
                    }
                    else
                    {
                        Reload.Observe(secret);
                    }

                    // A managed Secret changed or vanished: if that was not the operator's doing, the reconcile restores it.
                    if (secret.Metadata.Annotations?.TryGetValue(CofferSecretNames.OwnerAnnotation, out var owner) == true && resources.ContainsKey(owner))
                    {
                        Enqueue(owner);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException or KubernetesException)
            {
                OperatorLog.WatchEnded(logger, "Secrets", e.Message);
            }

            await PauseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnsureCofferWatch(string role, string ns)
    {
        var token = stopping.Token;
        cofferWatches.GetOrAdd((role, ns), key => Task.Run(() => WatchCofferAsync(key.Role, key.Namespace, token), token));
    }

    /// <summary>
    /// Pushes Coffer changes to the CofferSecrets that read them. The first bookmark of a new stream re-reads everything
    /// behind it, so a write between a read and the stream's start is never missed; later streams resume by revision.
    /// </summary>
    private async Task WatchCofferAsync(string role, string ns, CancellationToken cancellationToken)
    {
        long? revision = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var first = revision is null;
                await foreach (var change in coffer.WatchAsync(role, ns, revision, options.CofferWatchTimeout, cancellationToken).ConfigureAwait(false))
                {
                    if (change.IsExpired)
                    {
                        // As for 410 Gone: a new stream, whose first bookmark re-reads everything.
                        revision = null;
                        OperatorLog.WatchEnded(logger, $"Coffer namespace {ns} as role {role}", "changes not yet read were pruned");
                        break;
                    }

                    revision = change.Revision;
                    if (change.IsBookmark)
                    {
                        if (first)
                        {
                            first = false;
                            Invalidate(role, ns, null);
                        }

                        liveWatches[(role, ns)] = 0;
                        continue;
                    }

                    Invalidate(role, ns, change.Name);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is CofferRequestFailed or HttpRequestException or IOException or JsonException)
            {
                liveWatches.TryRemove((role, ns), out _);
                if (e is CofferRequestFailed { Status: HttpStatusCode.Unauthorized })
                {
                    coffer.Forget(role);
                }

                if (e is CofferRequestFailed { Status: HttpStatusCode.Gone })
                {
                    // Coffer pruned the changes after our revision: start a new stream, whose first bookmark re-reads everything.
                    revision = null;
                }

                OperatorLog.WatchEnded(logger, $"Coffer namespace {ns} as role {role}", e.Message);
            }

            await PauseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops cached Coffer data (one secret, or the whole namespace) and queues the CofferSecrets that read it.</summary>
    private void Invalidate(string role, string ns, string? name)
    {
        Interlocked.Increment(ref invalidations);
        foreach (var key in sourceCache.Keys.Where(k => k.Role == role && k.Namespace == ns && (name is null || k.Name == name)).ToList())
        {
            sourceCache.TryRemove(key, out _);
        }

        foreach (var (key, resource) in resources)
        {
            try
            {
                if (SecretProjection.SourceNamespace(resource) == ns && (name is null || resource.Spec?.Source?.Name == name) && SecretProjection.Role(resource) == role)
                {
                    Enqueue(key);
                }
            }
            catch (ProjectionFailure)
            {
                // Its own reconcile reports the problem.
            }
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Resync, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref invalidations);
            sourceCache.Clear();
            foreach (var key in resources.Keys)
            {
                Enqueue(key);
            }
        }
    }

    private async Task PauseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(options.RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
