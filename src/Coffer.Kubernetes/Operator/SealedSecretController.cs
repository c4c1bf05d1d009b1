using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Sealing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>
/// Turns each SealedSecret (bitnami.com/v1alpha1) into the native Secret it stands for, as Bitnami's controller does:
/// Coffer opens the values (with the login role named after the SealedSecret's namespace, so one namespace cannot
/// unseal another's), the Secret is owned by the SealedSecret, and the SealedSecret's status carries a Synced
/// condition. A Secret that exists and is neither owned by the SealedSecret nor annotated as managed is never touched.
/// </summary>
internal sealed class SealedSecretController(IKubernetes kube, CofferConnection coffer, ControllerOptions options, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private const string Synced = "Synced";

    private readonly ConcurrentDictionary<string, JsonObject> sealedSecrets = new(StringComparer.Ordinal);
    private readonly ReconcileQueue queue = new(options.RetryDelay, time, logger);
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;
    private int disposed;

    /// <summary>Reconciles finished so far; tests wait on it.</summary>
    public long Reconciles => queue.Reconciles;

    public void Start()
    {
        var token = stopping.Token;
        running = Task.WhenAll(
            Task.Run(() => queue.RunAsync(ReconcileAsync, token), token),
            Task.Run(() => WatchAsync(token), token),
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
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private static string Key(string ns, string name) => $"{ns}/{name}";

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static JsonObject? SyncedCondition(JsonObject? status) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => Text(c["type"]) == Synced);

    /// <summary>Work is due when the spec changed since the last status, or the last attempt did not succeed.</summary>
    private static bool NeedsWork(JsonObject sealedSecret)
    {
        var status = sealedSecret["status"] as JsonObject;
        return Number(status?["observedGeneration"]) != Number(sealedSecret["metadata"]?["generation"])
            || Text(SyncedCondition(status)?["status"]) != "True";
    }

    private void Enqueue(string key) => queue.Enqueue(key);

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (!sealedSecrets.TryGetValue(key, out var sealedSecret))
        {
            return;
        }

        var metadata = (JsonObject)sealedSecret["metadata"]!;
        var ns = Text(metadata["namespace"])!;
        var name = Text(metadata["name"])!;
        var request = (JsonObject)sealedSecret.DeepClone();
        request.Remove("status");
        (request["metadata"] as JsonObject)?.Remove("managedFields");

        JsonObject? secretJson;
        JsonObject status;
        try
        {
            (secretJson, status) = await UnsealAsync(ns, name, request, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferRequestFailed e) when (e.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            await NotSyncedAsync(sealedSecret, "CofferRefused", e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (secretJson is null)
        {
            var condition = SyncedCondition(status);
            await NotSyncedAsync(sealedSecret, Text(condition?["reason"]) ?? "ErrUnsealFailed", Text(condition?["message"]) ?? "the SealedSecret could not be unsealed", cancellationToken).ConfigureAwait(false);
            return;
        }

        var desired = KubernetesJson.Deserialize<V1Secret>(secretJson.ToJsonString());
        var existing = await ReadSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
        string action;
        try
        {
            if (existing is null)
            {
                await kube.CoreV1.CreateNamespacedSecretAsync(desired, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                action = "created";
            }
            else if (!Manages(existing, Text(metadata["uid"])))
            {
                await NotSyncedAsync(
                    sealedSecret,
                    "ErrUpdateFailed",
                    $"Secret {name} exists and is not managed by SealedSecret {name}; annotate it {SealedSecretFields.ManagedAnnotation}=true to let the SealedSecret take it over",
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            else if (SameContent(existing, desired))
            {
                action = "unchanged";
            }
            else
            {
                desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                await kube.CoreV1.ReplaceNamespacedSecretAsync(desired, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                action = "updated";
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Written or removed by someone else since it was read: look again.
            Enqueue(key);
            return;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            await NotSyncedAsync(sealedSecret, "ErrUpdateFailed", $"the API server refused Secret {name}: {e.Response.ReasonPhrase}", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (action != "unchanged")
        {
            OperatorLog.Unsealed(logger, ns, name, action);
        }

        await SetStatusAsync(sealedSecret, status, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(JsonObject? Secret, JsonObject Status)> UnsealAsync(string ns, string name, JsonObject request, CancellationToken cancellationToken)
    {
        try
        {
            return await coffer.UnsealAsync(ns, ns, name, request, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferRequestFailed e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            // The token expired or was revoked: log in again once.
            coffer.Forget(ns);
            return await coffer.UnsealAsync(ns, ns, name, request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Owned by this SealedSecret (its uid), or handed over by annotation.</summary>
    private static bool Manages(V1Secret existing, string? uid) =>
        existing.Metadata.OwnerReferences?.Any(r => r.Kind == SealedSecretFields.Kind && r.Uid == uid) == true
        || (existing.Metadata.Annotations?.TryGetValue(SealedSecretFields.ManagedAnnotation, out var managed) == true && managed == "true");

    private static bool SameContent(V1Secret existing, V1Secret desired) =>
        existing.Type == desired.Type
        && existing.Immutable == desired.Immutable
        && SameMap(existing.Metadata.Labels, desired.Metadata.Labels)
        && SameMap(existing.Metadata.Annotations, desired.Metadata.Annotations)
        && (existing.Metadata.OwnerReferences?.Count ?? 0) == (desired.Metadata.OwnerReferences?.Count ?? 0)
        && (existing.Metadata.OwnerReferences ?? []).Zip(desired.Metadata.OwnerReferences ?? []).All(p => p.First.Uid == p.Second.Uid && p.First.Kind == p.Second.Kind)
        && (existing.Data?.Count ?? 0) == (desired.Data?.Count ?? 0)
        && (desired.Data ?? new Dictionary<string, byte[]>()).All(kv => existing.Data?.TryGetValue(kv.Key, out var value) == true && value.AsSpan().SequenceEqual(kv.Value));

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b?.TryGetValue(kv.Key, out var value) == true && value == kv.Value);

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

    private Task NotSyncedAsync(JsonObject sealedSecret, string reason, string message, CancellationToken cancellationToken)
    {
        var metadata = sealedSecret["metadata"]!;
        OperatorLog.NotUnsealed(logger, Text(metadata["namespace"])!, Text(metadata["name"])!, reason, message);
        var now = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["observedGeneration"] = Number(metadata["generation"]) ?? 0,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = Synced,
                ["status"] = "False",
                ["reason"] = reason,
                ["message"] = message,
                ["lastUpdateTime"] = now,
                ["lastTransitionTime"] = now,
            }),
        };
        return SetStatusAsync(sealedSecret, status, cancellationToken);
    }

    /// <summary>Writes the status when its condition or generation changed, with an Event saying so; the same answer again writes nothing.</summary>
    private async Task SetStatusAsync(JsonObject sealedSecret, JsonObject status, CancellationToken cancellationToken)
    {
        var metadata = sealedSecret["metadata"]!;
        var ns = Text(metadata["namespace"])!;
        var name = Text(metadata["name"])!;
        var before = SyncedCondition(sealedSecret["status"] as JsonObject);
        var after = SyncedCondition(status)!;
        var sameCondition = before is not null
            && Text(before["status"]) == Text(after["status"])
            && Text(before["reason"]) == Text(after["reason"])
            && Text(before["message"]) == Text(after["message"]);
        if (sameCondition && Number((sealedSecret["status"] as JsonObject)?["observedGeneration"]) == Number(status["observedGeneration"]))
        {
            return;
        }

        if (before is not null && Text(before["status"]) == Text(after["status"]) && before["lastTransitionTime"] is { } since)
        {
            after["lastTransitionTime"] = since.DeepClone();
        }

        var patch = new JsonObject { ["status"] = status.DeepClone() }.ToJsonString();
        try
        {
            await kube.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(patch, V1Patch.PatchType.MergePatch),
                SealedSecretFields.Group,
                SealedSecretFields.Version,
                ns,
                SealedSecretFields.Plural,
                name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile; its watch event handles the rest.
            return;
        }

        var updated = (JsonObject)sealedSecret.DeepClone();
        updated["status"] = status.DeepClone();
        sealedSecrets.TryUpdate(Key(ns, name), updated, sealedSecret);
        if (!sameCondition)
        {
            var ok = Text(after["status"]) == "True";
            await OperatorEvents.RecordAsync(
                kube,
                logger,
                new V1ObjectReference { ApiVersion = SealedSecretFields.ApiVersion, Kind = SealedSecretFields.Kind, Name = name, NamespaceProperty = ns, Uid = Text(metadata["uid"]) },
                ok ? "Normal" : "Warning",
                ok ? "Unsealed" : Text(after["reason"]) ?? "ErrUnsealFailed",
                ok ? "SealedSecret unsealed successfully" : Text(after["message"]) ?? "the SealedSecret could not be unsealed",
                time.GetUtcNow(),
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists, then watches, SealedSecrets cluster-wide; a relist after any break finds what changed meanwhile.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var pause = options.RetryDelay;
            try
            {
                var list = await kube.CustomObjects.ListClusterCustomObjectAsync<JsonObject>(
                    SealedSecretFields.Group, SealedSecretFields.Version, SealedSecretFields.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in (list["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    if (Remember(item) is { } key)
                    {
                        seen.Add(key);
                        Enqueue(key);
                    }
                }

                foreach (var gone in sealedSecrets.Keys.Where(k => !seen.Contains(k)).ToList())
                {
                    // Its Secret goes with it: the owner reference lets Kubernetes' garbage collector remove it.
                    sealedSecrets.TryRemove(gone, out _);
                }

                var watch = kube.CustomObjects.WatchListClusterCustomObjectAsync(
                    SealedSecretFields.Group,
                    SealedSecretFields.Version,
                    SealedSecretFields.Plural,
                    resourceVersion: Text(list["metadata"]?["resourceVersion"]),
                    cancellationToken: cancellationToken);
                await foreach (var (type, raw) in watch.ConfigureAwait(false))
                {
                    if (type is not (WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                        || JsonNode.Parse(KubernetesJson.Serialize(raw)) is not JsonObject item)
                    {
                        continue;
                    }

                    if (type == WatchEventType.Deleted)
                    {
                        if (item["metadata"] is JsonObject meta)
                        {
                            sealedSecrets.TryRemove(Key(Text(meta["namespace"]) ?? string.Empty, Text(meta["name"]) ?? string.Empty), out _);
                        }
                    }
                    else if (Remember(item) is { } key && (type == WatchEventType.Added || NeedsWork(item)))
                    {
                        Enqueue(key);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // The SealedSecret CRD is not installed: look again at the next resync.
                OperatorLog.WatchEnded(logger, "SealedSecrets", "the bitnami.com/v1alpha1 SealedSecret resource is not installed");
                pause = options.Resync;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException or KubernetesException)
            {
                OperatorLog.WatchEnded(logger, "SealedSecrets", e.Message);
            }

            try
            {
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Keeps the latest copy; null for an object without a namespace and name.</summary>
    private string? Remember(JsonObject item)
    {
        if (item["metadata"] is not JsonObject meta || Text(meta["namespace"]) is not { } ns || Text(meta["name"]) is not { } name)
        {
            return null;
        }

        var key = Key(ns, name);
        sealedSecrets[key] = item;
        return key;
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Resync, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in sealedSecrets.Keys)
            {
                Enqueue(key);
            }
        }
    }
}
