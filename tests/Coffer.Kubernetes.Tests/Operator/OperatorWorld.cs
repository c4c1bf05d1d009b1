using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Tests.FakeApi;
using Coffer.Server;
using Coffer.Server.Tests.Auth.Jwt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.Kubernetes.Tests.Operator;

/// <summary>
/// A real Coffer dev server that trusts a test cluster's service-account tokens, the fake Kubernetes API, and the
/// operator between them, logged in as system:serviceaccount:coffer-system:coffer-operator. Coffer login roles
/// team-a and team-b each read and watch only their own Coffer namespace, unseal SealedSecrets and report rollouts
/// there; team-c may read but not watch, unseal or report.
/// </summary>
internal sealed class OperatorWorld : IAsyncDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    private const string Rbac = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-a, name: operator-read}
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          verbs: ["get", "watch"]
        - apiGroups: [""]
          resources: ["sealedsecrets"]
          verbs: ["unseal"]
        - apiGroups: [""]
          resources: ["secrets/rollout"]
          verbs: ["update"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-b, name: operator-read}
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          verbs: ["get", "watch"]
        - apiGroups: [""]
          resources: ["sealedsecrets"]
          verbs: ["unseal"]
        - apiGroups: [""]
          resources: ["secrets/rollout"]
          verbs: ["update"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-c, name: operator-read}
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          verbs: ["get"]
        """;

    private readonly string folder;
    private readonly TestIssuer issuer;
    private readonly HttpClient operatorHttp;

    private OperatorWorld(string folder, TestIssuer issuer, RunningServer coffer, HttpClient root, FakeKubernetesApi api)
    {
        this.folder = folder;
        this.issuer = issuer;
        Coffer = coffer;
        Root = root;
        Api = api;
        operatorHttp = new HttpClient(new RecordingHandler(CofferRequests, RolloutReports, () => AfterCofferResponse)) { BaseAddress = coffer.Address };
    }

    public RunningServer Coffer { get; }

    /// <summary>Awaited with each request's path and query after Coffer answered and before the operator sees the answer.</summary>
    public Func<string, Task>? AfterCofferResponse { get; set; }

    /// <summary>Path and query of every request the operator sent to Coffer.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CofferRequests { get; } = new();

    /// <summary>The bodies of the rollout reports the operator sent to Coffer.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Path, JsonObject Body)> RolloutReports { get; } = new();

    /// <summary>Talks to Coffer as root, for the tests' own writes.</summary>
    public HttpClient Root { get; }

    public FakeKubernetesApi Api { get; }

    public CofferSecretController? Controller { get; private set; }

    public SealedSecretController? SealedSecrets { get; private set; }

    public static async Task<OperatorWorld> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("coffer-operator-").FullName;
        var issuer = new TestIssuer();
        var jwks = Path.Combine(folder, "jwks.json");
        await File.WriteAllTextAsync(jwks, issuer.JwksJson);
        var output = new StringWriter();
        var coffer = await CofferServer.StartAsync(
            new CofferServerOptions
            {
                Dev = true,
                Listen = "127.0.0.1:0",
                DataDirectory = Path.Combine(folder, "data"),
                LogLevel = LogLevel.Warning,
                KubernetesAuth = new IdentityProviderOptions { Issuer = Issuer, JwksPath = jwks, Audiences = ["coffer"] },
            },
            output,
            CancellationToken.None);
        var token = output.ToString().Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal))["Root token: ".Length..].Trim();
        var root = new HttpClient { BaseAddress = coffer.Address };
        root.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var world = new OperatorWorld(folder, issuer, coffer, root, await FakeKubernetesApi.StartAsync());
        foreach (var ns in new[] { "team-a", "team-b", "team-c" })
        {
            await world.SendAsync(HttpMethod.Post, "/v1/namespaces", $$"""{"name":"{{ns}}"}""");
        }

        using (var apply = await root.PostAsync("/v1/access/apply", new StringContent(Rbac, Encoding.UTF8, "application/yaml")))
        {
            Assert.True(apply.IsSuccessStatusCode, await apply.Content.ReadAsStringAsync());
        }

        foreach (var ns in new[] { "team-a", "team-b", "team-c" })
        {
            await world.SendAsync(
                HttpMethod.Put,
                $"/v1/auth/kubernetes/roles/{ns}",
                $$"""{"boundServiceAccountNames":["coffer-operator"],"boundNamespaces":["coffer-system"],"ttl":"1h","roles":[{"namespace":"{{ns}}","name":"operator-read"}]}""");
        }

        return world;
    }

    /// <summary>Starts (or restarts) the operator: the CofferSecret controller and the SealedSecret controller.</summary>
    public async Task<CofferSecretController> StartOperatorAsync(TimeSpan? debounce = null, TimeSpan? resync = null, TimeSpan? cofferWatchTimeout = null)
    {
        await StopOperatorAsync();
        var connection = new CofferConnection(operatorHttp, _ => Task.FromResult(ServiceAccountJwt()), TimeProvider.System);
        var options = new ControllerOptions(resync ?? TimeSpan.FromHours(1), debounce ?? TimeSpan.FromMilliseconds(500), new byte[32]) { RetryDelay = TimeSpan.FromMilliseconds(100), CofferWatchTimeout = cofferWatchTimeout ?? TimeSpan.FromMinutes(5) };
        Controller = new CofferSecretController(Api.CreateClient(), connection, options, TimeProvider.System, NullLogger.Instance);
        SealedSecrets = new SealedSecretController(Api.CreateClient(), connection, options, TimeProvider.System, NullLogger.Instance);
        Controller.Start();
        SealedSecrets.Start();
        return Controller;
    }

    public async Task StopOperatorAsync()
    {
        if (Controller is not null)
        {
            await Controller.DisposeAsync();
            Controller = null;
        }

        if (SealedSecrets is not null)
        {
            await SealedSecrets.DisposeAsync();
            SealedSecrets = null;
        }
    }

    public string ServiceAccountJwt()
    {
        var now = TimeProvider.System.GetUtcNow();
        return TestIssuer.Sign(
            new JsonObject
            {
                ["iss"] = Issuer,
                ["aud"] = new JsonArray("coffer"),
                ["sub"] = "system:serviceaccount:coffer-system:coffer-operator",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
                ["kubernetes.io"] = new JsonObject
                {
                    ["namespace"] = "coffer-system",
                    ["serviceaccount"] = new JsonObject { ["name"] = "coffer-operator", ["uid"] = Guid.NewGuid().ToString() },
                },
            },
            issuer.RsaCredentials);
    }

    /// <summary>Writes a Coffer secret as root and returns its new version.</summary>
    public async Task<long> WriteCofferAsync(string ns, string name, IReadOnlyDictionary<string, string> values)
    {
        var data = new JsonObject();
        foreach (var (key, value) in values)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        var body = await SendAsync(HttpMethod.Put, $"/v1/namespaces/{ns}/secrets/{name}", new JsonObject { ["data"] = data }.ToJsonString());
        return body["metadata"]!["version"]!.GetValue<long>();
    }

    public JsonObject AddCofferSecret(string ns, string name, JsonObject spec) =>
        Api.Put(FakeKubernetesApi.CofferGroup, "coffersecrets", ns, new JsonObject
        {
            ["apiVersion"] = "coffer.dev/v1alpha1",
            ["kind"] = "CofferSecret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        });

    /// <summary>
    /// Compacts Coffer's change log behind the operator's back, as pruning after a long disconnect would: every change
    /// goes, and the log jumps 1000 revisions ahead, so any revision a watcher holds is now older than the log keeps.
    /// </summary>
    public void CompactCofferChangeLog()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "data", "coffer.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO secret_changes (revision, namespace, name, version, kind, at)
              SELECT MAX(revision) + 1000, 'compacted', 'compacted', 1, 'written', 0 FROM secret_changes;
            DELETE FROM secret_changes WHERE revision < (SELECT MAX(revision) FROM secret_changes);
            """;
        command.ExecuteNonQuery();
    }

    public JsonObject? NativeSecret(string ns, string name) => Api.Get(FakeKubernetesApi.Core, "secrets", ns, name);

    public static string? Text(JsonObject? secret, string key) =>
        secret?["data"]?[key]?.GetValue<string>() is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;

    public JsonObject? Status(string ns, string name) => Api.Get(FakeKubernetesApi.CofferGroup, "coffersecrets", ns, name)?["status"] as JsonObject;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after the deadline.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = TimeProvider.System.GetUtcNow() + (deadline ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < until, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        await Api.DisposeAsync();
        Root.Dispose();
        operatorHttp.Dispose();
        await Coffer.DisposeAsync();
        issuer.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Root.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body) as JsonObject ?? [];
    }

    private sealed class RecordingHandler(System.Collections.Concurrent.ConcurrentQueue<string> requests, System.Collections.Concurrent.ConcurrentQueue<(string Path, JsonObject Body)> rollouts, Func<Func<string, Task>?> afterResponse) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            requests.Enqueue(path);
            if (path.EndsWith("/rollout", StringComparison.Ordinal) && request.Content is not null)
            {
                rollouts.Enqueue((path, JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken))!.AsObject()));
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (afterResponse() is { } hook)
            {
                await hook(path);
            }

            return response;
        }
    }
}
