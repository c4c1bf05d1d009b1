using System.Collections.Concurrent;
using System.Net;
using Coffer.Kubernetes.Operator;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Reload;

/// <summary>
/// Restarts opted-in workloads when the data of a Secret they use changes. Each Secret's data hash is remembered, so a
/// change that leaves the data alone (labels, annotations, our own status) restarts nothing; changes in a namespace are
/// debounced until it has been quiet for a while, then each workload is patched once, and only if its combined hash moved.
/// </summary>
/// <param name="restarted">Told of each pass that restarted workloads because Secrets changed (not of catch-up passes).</param>
internal sealed class ReloadCoordinator(
    IKubernetes kube,
    SecretDataHash hasher,
    TimeSpan debounce,
    TimeProvider time,
    ILogger logger,
    CancellationToken stopping,
    Func<string, IReadOnlySet<string>, IReadOnlyList<RestartedWorkload>, CancellationToken, Task>? restarted = null) : IAsyncDisposable
{
    /// <summary>How often a rollout's progress is read while waiting for it.</summary>
    public static readonly TimeSpan RolloutPoll = TimeSpan.FromSeconds(1);

    private const string ArgoGroup = "argoproj.io";
    private const string ArgoVersion = "v1alpha1";

    private readonly ConcurrentDictionary<(string Namespace, string Name), string> hashes = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> flushes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Namespace, string Name), byte> changedSecrets = new();
    private bool? argoRollouts;

    /// <summary>Rolling restarts started so far.</summary>
    public long Restarts => Interlocked.Read(ref restarts);

    private long restarts;

    /// <summary>Debounced restart passes finished so far.</summary>
    public long Flushes => Interlocked.Read(ref flushCount);

    /// <summary>Secrets looked at so far (events and listings).</summary>
    public long Observations => Interlocked.Read(ref observations);

    /// <summary>No namespace is waiting out its debounce or being flushed.</summary>
    public bool IsIdle => flushes.IsEmpty;

    private long flushCount;
    private long observations;

    /// <summary>
    /// Takes note of a Secret's data. A changed hash schedules its namespace; a first sighting does not (a workload
    /// waiting for a missing Secret starts by itself once it exists), nor does a change that leaves the data alone.
    /// </summary>
    public void Observe(V1Secret secret)
    {
        var key = (secret.Metadata.NamespaceProperty, secret.Metadata.Name);
        var hash = hasher.Compute(secret.Data?.ToDictionary(kv => kv.Key, kv => kv.Value));
        var previous = hashes.TryGetValue(key, out var known) ? known : null;
        hashes[key] = hash;
        Interlocked.Increment(ref observations);
        if (previous is not null && previous != hash)
        {
            changedSecrets[key] = 0;
            Schedule(key.NamespaceProperty);
        }
    }

    /// <summary>A deleted Secret restarts nothing: new pods could not start without it.</summary>
    public void Forget(V1Secret secret)
    {
        hashes.TryRemove((secret.Metadata.NamespaceProperty, secret.Metadata.Name), out _);
        Interlocked.Increment(ref observations);
    }

    /// <summary>
    /// After the operator's start: workloads Coffer restarted before, whose Secrets changed while no operator was
    /// watching, are restarted now; workloads never restarted by Coffer are left alone.
    /// </summary>
    public async Task CatchUpAsync(IEnumerable<string> namespaces, CancellationToken cancellationToken)
    {
        foreach (var ns in namespaces.Distinct(StringComparer.Ordinal))
        {
            await RestartChangedAsync(ns, initial: true, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Schedule(string ns)
    {
        pending[ns] = time.GetUtcNow();
        flushes.GetOrAdd(ns, n => Task.Run(() => FlushAfterQuietAsync(n), stopping));
    }

    private async Task FlushAfterQuietAsync(string ns)
    {
        try
        {
            // Wait until no change has arrived for the debounce period, then restart once for the whole burst.
            while (pending.TryGetValue(ns, out var last) && time.GetUtcNow() - last < debounce)
            {
                await Task.Delay(debounce - (time.GetUtcNow() - last), time, stopping).ConfigureAwait(false);
            }

            pending.TryRemove(ns, out _);
            var changed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in changedSecrets.Keys.Where(k => k.Namespace == ns).ToList())
            {
                if (changedSecrets.TryRemove(key, out _))
                {
                    changed.Add(key.Name);
                }
            }

            await RestartChangedAsync(ns, initial: false, changed, stopping).ConfigureAwait(false);
            Interlocked.Increment(ref flushCount);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            OperatorLog.WatchEnded(logger, $"reload of namespace {ns}", e.Message);
        }
        finally
        {
            flushes.TryRemove(ns, out _);
            if (pending.ContainsKey(ns) && !stopping.IsCancellationRequested)
            {
                // A change arrived during the pass: it gets a pass of its own.
                Schedule(ns);
            }
        }
    }

    private async Task RestartChangedAsync(string ns, bool initial, IReadOnlySet<string>? changed, CancellationToken cancellationToken)
    {
        var known = hashes.Where(kv => kv.Key.Namespace == ns).ToDictionary(kv => kv.Key.Name, kv => kv.Value, StringComparer.Ordinal);
        var done = new List<RestartedWorkload>();
        var patchBody = (string hash) => new V1Patch(TemplateAnnotationPatch(hash), V1Patch.PatchType.StrategicMergePatch);

        foreach (var deployment in (await kube.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items)
        {
            if (ReloadDecision.NewHash(deployment.Metadata, deployment.Spec?.Template, known, hasher, initial, changed) is { } hash)
            {
                await kube.AppsV1.PatchNamespacedDeploymentAsync(patchBody(hash), deployment.Metadata.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                await RestartedAsync("apps/v1", "Deployment", deployment.Metadata, changed, cancellationToken).ConfigureAwait(false);
                done.Add(new RestartedWorkload("Deployment", ns, deployment.Metadata.Name));
            }
        }

        foreach (var set in (await kube.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items)
        {
            if (ReloadDecision.NewHash(set.Metadata, set.Spec?.Template, known, hasher, initial, changed) is { } hash)
            {
                await kube.AppsV1.PatchNamespacedStatefulSetAsync(patchBody(hash), set.Metadata.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                await RestartedAsync("apps/v1", "StatefulSet", set.Metadata, changed, cancellationToken).ConfigureAwait(false);
                done.Add(new RestartedWorkload("StatefulSet", ns, set.Metadata.Name));
            }
        }

        foreach (var set in (await kube.AppsV1.ListNamespacedDaemonSetAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items)
        {
            if (ReloadDecision.NewHash(set.Metadata, set.Spec?.Template, known, hasher, initial, changed) is { } hash)
            {
                await kube.AppsV1.PatchNamespacedDaemonSetAsync(patchBody(hash), set.Metadata.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                await RestartedAsync("apps/v1", "DaemonSet", set.Metadata, changed, cancellationToken).ConfigureAwait(false);
                done.Add(new RestartedWorkload("DaemonSet", ns, set.Metadata.Name));
            }
        }

        done.AddRange(await RestartRolloutsAsync(ns, known, initial, changed, cancellationToken).ConfigureAwait(false));
        if (restarted is not null && !initial && changed is { Count: > 0 } && done.Count > 0)
        {
            await restarted(ns, changed, done, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until every workload has rolled out (see <see cref="RolloutProgress"/>); false when the time is up first.</summary>
    public async Task<bool> WaitForRolloutAsync(IReadOnlyList<RestartedWorkload> workloads, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + timeout;
        var waiting = workloads.ToList();
        while (true)
        {
            var left = new List<RestartedWorkload>();
            foreach (var workload in waiting)
            {
                if (!await IsRolledOutAsync(workload, cancellationToken).ConfigureAwait(false))
                {
                    left.Add(workload);
                }
            }

            if (left.Count == 0)
            {
                return true;
            }

            if (time.GetUtcNow() >= until)
            {
                return false;
            }

            waiting = left;
            await Task.Delay(RolloutPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> IsRolledOutAsync(RestartedWorkload workload, CancellationToken cancellationToken)
    {
        try
        {
            return workload.Kind switch
            {
                "Deployment" => RolloutProgress.IsComplete(await kube.AppsV1.ReadNamespacedDeploymentAsync(workload.Name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false)),
                "StatefulSet" => RolloutProgress.IsComplete(await kube.AppsV1.ReadNamespacedStatefulSetAsync(workload.Name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false)),
                "DaemonSet" => RolloutProgress.IsComplete(await kube.AppsV1.ReadNamespacedDaemonSetAsync(workload.Name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false)),
                _ => RolloutProgress.IsComplete(await kube.CustomObjects.GetNamespacedCustomObjectAsync<System.Text.Json.Nodes.JsonObject>(ArgoGroup, ArgoVersion, workload.Namespace, "rollouts", workload.Name, cancellationToken).ConfigureAwait(false)),
            };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted: nothing of it can hold the old credential any more.
            return true;
        }
    }

    /// <summary>Argo Rollouts, where the cluster has them: same pod template, so the same rule; merge patch, as for any custom resource.</summary>
    private async Task<List<RestartedWorkload>> RestartRolloutsAsync(string ns, Dictionary<string, string> known, bool initial, IReadOnlySet<string>? changed, CancellationToken cancellationToken)
    {
        var done = new List<RestartedWorkload>();
        if (argoRollouts == false)
        {
            return done;
        }

        RolloutList list;
        try
        {
            list = await kube.CustomObjects.ListNamespacedCustomObjectAsync<RolloutList>(ArgoGroup, ArgoVersion, ns, "rollouts", cancellationToken: cancellationToken).ConfigureAwait(false);
            argoRollouts = true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            argoRollouts = false;
            return done;
        }

        foreach (var rollout in list.Items ?? [])
        {
            if (ReloadDecision.NewHash(rollout.Metadata, rollout.Spec?.Template, known, hasher, initial, changed) is { } hash)
            {
                await kube.CustomObjects.PatchNamespacedCustomObjectAsync(
                    new V1Patch(TemplateAnnotationPatch(hash), V1Patch.PatchType.MergePatch),
                    ArgoGroup,
                    ArgoVersion,
                    ns,
                    "rollouts",
                    rollout.Metadata.Name,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await RestartedAsync($"{ArgoGroup}/{ArgoVersion}", "Rollout", rollout.Metadata, changed, cancellationToken).ConfigureAwait(false);
                done.Add(new RestartedWorkload("Rollout", ns, rollout.Metadata.Name));
            }
        }

        return done;
    }

    /// <summary>Only the one pod-template annotation: a change to the template is what starts a rolling restart.</summary>
    public static string TemplateAnnotationPatch(string hash) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["template"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["annotations"] = new System.Text.Json.Nodes.JsonObject { [ReloadAnnotations.SecretHash] = hash },
                    },
                },
            },
        }.ToJsonString();

    /// <summary>Counts and logs the restart, and records it as an Event on the workload, naming the Secrets (never their data).</summary>
    private async Task RestartedAsync(string apiVersion, string kind, V1ObjectMeta workload, IReadOnlySet<string>? changed, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref restarts);
        OperatorLog.Reloaded(logger, kind, workload.NamespaceProperty, workload.Name);
        var why = changed is { Count: > 0 }
            ? $"the data of Secret {string.Join(", ", changed.Order(StringComparer.Ordinal))} changed"
            : "the data of the Secrets it uses differs from its last restart";
        await OperatorEvents.RecordAsync(
            kube,
            logger,
            new V1ObjectReference { ApiVersion = apiVersion, Kind = kind, Name = workload.Name, NamespaceProperty = workload.NamespaceProperty, Uid = workload.Uid },
            "Normal",
            "SecretsChanged",
            $"Coffer started a rolling restart: {why}",
            time.GetUtcNow(),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(flushes.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
