using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Tests.FakeApi;

/// <summary>
/// An in-process Kubernetes API server on a real Kestrel port, built from the API reference's JSON shapes: namespaced
/// CRUD with resourceVersion and 409 conflicts, generateName, label-selector lists, watch streams (resumable from a
/// resourceVersion), JSON merge patch, strategic merge patch as far as maps go (lists are replaced, which is all the
/// operator's one-annotation patches need), status subresources for custom resources, and the TokenReview and
/// service-account JWKS endpoints Coffer's Kubernetes login calls (the Server tests link this folder).
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string Core = "api/v1";
    public const string Apps = "apis/apps/v1";
    public const string CofferGroup = "apis/coffer.dev/v1alpha1";
    public const string Argo = "apis/argoproj.io/v1alpha1";
    public const string Bitnami = "apis/bitnami.com/v1alpha1";

    private static readonly Dictionary<(string Prefix, string Resource), string> Kinds = new()
    {
        [(Core, "secrets")] = "Secret",
        [(Core, "events")] = "Event",
        [(Apps, "deployments")] = "Deployment",
        [(Apps, "statefulsets")] = "StatefulSet",
        [(Apps, "daemonsets")] = "DaemonSet",
        [(CofferGroup, "coffersecrets")] = "CofferSecret",
        [(Argo, "rollouts")] = "Rollout",
        [(Bitnami, "sealedsecrets")] = "SealedSecret",
    };

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly Dictionary<ResourceKey, JsonObject> objects = [];
    private readonly List<WatchEvent> history = [];
    private readonly List<(Func<WatchEvent, bool> Filter, Channel<WatchEvent> Channel)> watchers = [];
    private readonly List<RecordedCall> calls = [];
    private long resourceVersion = 100;
    private int conflictsToInject;

    private FakeKubernetesApi(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The TokenReview API, for Coffer's Kubernetes login.</summary>
    public TokenReviewEndpoint TokenReviews { get; } = new();

    /// <summary>The service-account issuer's key set, served at <c>/openid/v1/jwks</c> as the API server does; 404 while null.</summary>
    public string? Jwks { get; set; }

    /// <summary>Raised under the fake's lock after every stored change (the latency benchmark times writes by it).</summary>
    public event Action<WatchEvent>? Published;

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app);
        app.Map("/{**path}", fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>A client of the real KubernetesClient library pointed at this fake.</summary>
    public k8s.Kubernetes CreateClient() => new(new KubernetesClientConfiguration { Host = BaseAddress.ToString() });

    /// <summary>The next <paramref name="count"/> PUTs answer 409 Conflict, as if someone had written first.</summary>
    public void InjectConflicts(int count) => Interlocked.Exchange(ref conflictsToInject, count);

    /// <summary>Ends every open watch stream, as an API server restart or a load balancer timeout would.</summary>
    public void DropWatches()
    {
        lock (gate)
        {
            foreach (var (_, channel) in watchers)
            {
                channel.Writer.TryComplete();
            }

            watchers.Clear();
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    public JsonObject? Get(string prefix, string resource, string ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue(new ResourceKey(prefix, resource, ns, name), out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    public List<JsonObject> List(string prefix, string resource, string? ns = null)
    {
        lock (gate)
        {
            return [.. objects.Where(kv => kv.Key.Prefix == prefix && kv.Key.Resource == resource && (ns is null || kv.Key.Namespace == ns)).Select(kv => (JsonObject)kv.Value.DeepClone())];
        }
    }

    /// <summary>Creates or replaces directly (no conflict check), as another client would; watchers see it.</summary>
    public JsonObject Put(string prefix, string resource, string ns, JsonObject body)
    {
        lock (gate)
        {
            var name = body["metadata"]!["name"]!.GetValue<string>();
            var key = new ResourceKey(prefix, resource, ns, name);
            var existing = objects.GetValueOrDefault(key);
            return Store(key, (JsonObject)body.DeepClone(), existing);
        }
    }

    public bool Delete(string prefix, string resource, string ns, string name)
    {
        lock (gate)
        {
            var key = new ResourceKey(prefix, resource, ns, name);
            if (!objects.Remove(key, out var removed))
            {
                return false;
            }

            Publish(key, "DELETED", removed);
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.Trim('/');
        lock (gate)
        {
            calls.Add(new RecordedCall(context.Request.Method, "/" + path, context.Request.ContentType, context.Request.QueryString.Value ?? string.Empty));
        }

        if (path == TokenReviewEndpoint.Path && HttpMethods.IsPost(context.Request.Method))
        {
            await (await TokenReviews.ReviewAsync(context)).ExecuteAsync(context);
            return;
        }

        if (path == "openid/v1/jwks" && HttpMethods.IsGet(context.Request.Method))
        {
            await (Jwks is { } jwks ? Results.Text(jwks, "application/jwk-set+json") : Results.NotFound()).ExecuteAsync(context);
            return;
        }

        var segments = path.Split('/');
        string prefix;
        string[] rest;
        if (segments is ["api", "v1", .. var coreRest])
        {
            (prefix, rest) = (Core, coreRest);
        }
        else if (segments is ["apis", var group, var version, .. var groupRest])
        {
            (prefix, rest) = ($"apis/{group}/{version}", groupRest);
        }
        else
        {
            await StatusAsync(context, 404, "NotFound", $"the server could not find the requested resource {path}");
            return;
        }

        var (resource, ns, name, status) = rest switch
        {
            [var r] => (r, (string?)null, (string?)null, false),
            ["namespaces", var n, var r] => (r, n, null, false),
            ["namespaces", var n, var r, var o] => (r, n, o, false),
            ["namespaces", var n, var r, var o, "status"] => (r, n, o, true),
            _ => (string.Empty, null, null, false),
        };
        if (!Kinds.ContainsKey((prefix, resource)))
        {
            await StatusAsync(context, 404, "NotFound", $"the server could not find the requested resource {path}");
            return;
        }

        var method = context.Request.Method;
        if (name is null && HttpMethods.IsGet(method))
        {
            if (context.Request.Query["watch"] is { Count: > 0 } watch && watch[0] is "true" or "1")
            {
                await WatchAsync(context, prefix, resource, ns);
            }
            else
            {
                await ListAsync(context, prefix, resource, ns);
            }

            return;
        }

        if (name is null && HttpMethods.IsPost(method) && ns is not null)
        {
            await CreateAsync(context, prefix, resource, ns);
            return;
        }

        if (name is null || ns is null)
        {
            await StatusAsync(context, 405, "MethodNotAllowed", "method not allowed");
            return;
        }

        var key = new ResourceKey(prefix, resource, ns, name);
        if (HttpMethods.IsGet(method))
        {
            var found = Get(prefix, resource, ns, name);
            await (found is null ? NotFoundAsync(context, key) : WriteAsync(context, 200, found));
        }
        else if (HttpMethods.IsPut(method))
        {
            await ReplaceAsync(context, key, status);
        }
        else if (HttpMethods.IsPatch(method))
        {
            await PatchAsync(context, key, status);
        }
        else if (HttpMethods.IsDelete(method))
        {
            JsonObject? removed;
            lock (gate)
            {
                if (objects.Remove(key, out removed))
                {
                    Publish(key, "DELETED", removed);
                }
            }

            await (removed is null ? NotFoundAsync(context, key) : WriteAsync(context, 200, removed));
        }
        else
        {
            await StatusAsync(context, 405, "MethodNotAllowed", "method not allowed");
        }
    }

    private async Task ListAsync(HttpContext context, string prefix, string resource, string? ns)
    {
        var selector = context.Request.Query["labelSelector"].ToString();
        JsonArray items;
        string version;
        lock (gate)
        {
            items = [.. objects
                .Where(kv => kv.Key.Prefix == prefix && kv.Key.Resource == resource && (ns is null || kv.Key.Namespace == ns))
                .OrderBy(kv => kv.Key.Namespace, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
                .Select(kv => kv.Value)
                .Where(o => Matches(o, selector))
                .Select(o => o.DeepClone())];
            version = resourceVersion.ToString(CultureInfo.InvariantCulture);
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["apiVersion"] = ApiVersion(prefix),
            ["kind"] = Kinds[(prefix, resource)] + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = version },
            ["items"] = items,
        });
    }

    private async Task WatchAsync(HttpContext context, string prefix, string resource, string? ns)
    {
        var selector = context.Request.Query["labelSelector"].ToString();
        var from = long.TryParse(context.Request.Query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : (long?)null;
        var channel = Channel.CreateUnbounded<WatchEvent>();
        bool Filter(WatchEvent e) => e.Key.Prefix == prefix && e.Key.Resource == resource && (ns is null || e.Key.Namespace == ns) && Matches(e.Object, selector);
        lock (gate)
        {
            if (from is null)
            {
                // No resourceVersion: the current state first, as synthetic ADDED events.
                foreach (var (key, value) in objects.Where(kv => Filter(new WatchEvent(0, kv.Key, "ADDED", kv.Value))))
                {
                    channel.Writer.TryWrite(new WatchEvent(resourceVersion, key, "ADDED", (JsonObject)value.DeepClone()));
                }
            }
            else
            {
                foreach (var past in history.Where(e => e.ResourceVersion > from && Filter(e)))
                {
                    channel.Writer.TryWrite(past);
                }
            }

            watchers.Add((Filter, channel));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                var line = new JsonObject { ["type"] = change.Type, ["object"] = change.Object.DeepClone() }.ToJsonString() + "\n";
                await context.Response.WriteAsync(line, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (gate)
            {
                watchers.RemoveAll(w => w.Channel == channel);
            }
        }
    }

    private async Task CreateAsync(HttpContext context, string prefix, string resource, string ns)
    {
        if (await ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        var name = metadata["name"]?.GetValue<string>();
        if (name is null && metadata["generateName"]?.GetValue<string>() is { } generate)
        {
            name = generate + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            metadata["name"] = name;
        }

        if (name is null)
        {
            await StatusAsync(context, 422, "Invalid", "metadata.name: Required value");
            return;
        }

        JsonObject stored;
        lock (gate)
        {
            var key = new ResourceKey(prefix, resource, ns, name);
            if (objects.ContainsKey(key))
            {
                stored = null!;
            }
            else
            {
                metadata["namespace"] = ns;
                stored = Store(key, body, null);
            }
        }

        await (stored is null
            ? StatusAsync(context, 409, "AlreadyExists", $"{resource} \"{name}\" already exists")
            : WriteAsync(context, 201, stored));
    }

    private async Task ReplaceAsync(HttpContext context, ResourceKey key, bool status)
    {
        if (await ReadBodyAsync(context) is not { } body)
        {
            return;
        }

        if (Interlocked.Decrement(ref conflictsToInject) >= 0)
        {
            await StatusAsync(context, 409, "Conflict", $"Operation cannot be fulfilled on {key.Resource} \"{key.Name}\": the object has been modified; please apply your changes to the latest version and try again");
            return;
        }

        Interlocked.Exchange(ref conflictsToInject, 0);
        JsonObject? stored = null;
        var conflict = false;
        lock (gate)
        {
            if (objects.TryGetValue(key, out var existing))
            {
                var expected = body["metadata"]?["resourceVersion"]?.GetValue<string>();
                if (expected is not null && expected != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
                {
                    conflict = true;
                }
                else
                {
                    stored = Store(key, Subresource(existing, body, status), existing);
                }
            }
        }

        await (conflict
            ? StatusAsync(context, 409, "Conflict", $"Operation cannot be fulfilled on {key.Resource} \"{key.Name}\": the object has been modified; please apply your changes to the latest version and try again")
            : stored is null ? NotFoundAsync(context, key) : WriteAsync(context, 200, stored));
    }

    private async Task PatchAsync(HttpContext context, ResourceKey key, bool status)
    {
        var type = context.Request.ContentType?.Split(';')[0].Trim();
        if (type is not ("application/merge-patch+json" or "application/strategic-merge-patch+json"))
        {
            await StatusAsync(context, 415, "UnsupportedMediaType", $"the fake supports merge and strategic merge patches, not {type}");
            return;
        }

        if (key.Prefix != Core && key.Prefix != Apps && type == "application/strategic-merge-patch+json")
        {
            // As the real server: custom resources have no strategic merge schema.
            await StatusAsync(context, 415, "UnsupportedMediaType", "strategic merge patch is not supported for custom resources");
            return;
        }

        if (await ReadBodyAsync(context) is not { } patch)
        {
            return;
        }

        JsonObject? stored = null;
        lock (gate)
        {
            if (objects.TryGetValue(key, out var existing))
            {
                var patched = (JsonObject)JsonMergePatch.Apply(existing, patch)!;
                stored = Store(key, Subresource(existing, patched, status), existing);
            }
        }

        await (stored is null ? NotFoundAsync(context, key) : WriteAsync(context, 200, stored));
    }

    /// <summary>Custom resources have a status subresource: writes to the object keep its status, writes to /status keep the rest.</summary>
    private static JsonObject Subresource(JsonObject existing, JsonObject incoming, bool status)
    {
        if (existing["kind"]?.GetValue<string>() != "CofferSecret")
        {
            return incoming;
        }

        var result = (JsonObject)existing.DeepClone();
        if (status)
        {
            result["status"] = incoming["status"]?.DeepClone();
        }
        else
        {
            foreach (var (property, value) in incoming)
            {
                if (property != "status")
                {
                    result[property] = value?.DeepClone();
                }
            }
        }

        return result;
    }

    /// <summary>Under the lock: assigns identity and a new resourceVersion, stores, and tells the watchers.</summary>
    private JsonObject Store(ResourceKey key, JsonObject body, JsonObject? existing)
    {
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        metadata["name"] = key.Name;
        metadata["namespace"] = key.Namespace;
        metadata["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
        metadata["uid"] = existing?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = existing?["metadata"]?["creationTimestamp"]?.DeepClone() ?? "2026-11-25T12:00:00Z";
        body["apiVersion"] = ApiVersion(key.Prefix);
        body["kind"] = Kinds[(key.Prefix, key.Resource)];
        if (key.Prefix != Core)
        {
            var generation = existing?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
            var specChanged = existing is null || !JsonNode.DeepEquals(existing["spec"], body["spec"]);
            metadata["generation"] = specChanged ? generation + 1 : generation;
        }

        objects[key] = body;
        Publish(key, existing is null ? "ADDED" : "MODIFIED", body);
        return (JsonObject)body.DeepClone();
    }

    private void Publish(ResourceKey key, string type, JsonObject body)
    {
        var change = new WatchEvent(resourceVersion, key, type, (JsonObject)body.DeepClone());
        history.Add(change);
        Published?.Invoke(change);
        foreach (var (filter, channel) in watchers)
        {
            if (filter(change))
            {
                channel.Writer.TryWrite(change);
            }
        }
    }

    private static bool Matches(JsonObject item, string selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        var labels = item["metadata"]?["labels"] as JsonObject;
        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=', 2);
            var value = labels?[parts[0]]?.GetValue<string>();
            if (parts.Length == 1 ? value is null : value != parts[1])
            {
                return false;
            }
        }

        return true;
    }

    private static string ApiVersion(string prefix) => prefix == Core ? "v1" : prefix["apis/".Length..];

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            if (JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted)) is JsonObject body)
            {
                return body;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        await StatusAsync(context, 400, "BadRequest", "the request body is not a JSON object");
        return null;
    }

    private static Task NotFoundAsync(HttpContext context, ResourceKey key) =>
        StatusAsync(context, 404, "NotFound", $"{key.Resource} \"{key.Name}\" not found");

    private static Task StatusAsync(HttpContext context, int code, string reason, string message) =>
        WriteAsync(context, code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
