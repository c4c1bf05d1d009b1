using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Auth.Jwt;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Access;

/// <summary>
/// A dev server with two team namespaces, RBAC roles as the issue describes them, service-account login through a
/// test issuer, and one token per kind of caller the authorisation matrix needs.
/// </summary>
internal sealed class AccessWorld : IAsyncDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public const string Audience = "coffer";

    public const string Rbac = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-a, name: secret-reader}
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          resourceNames: ["database-credentials", "api-keys"]
          verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-a, name: reader}
        rules:
        - apiGroups: [""]
          resources: ["secrets", "secrets/versions"]
          verbs: ["get", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {namespace: team-a, name: db-writer}
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          resourceNames: ["database-credentials"]
          verbs: ["get", "update", "patch", "delete", "destroy"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {namespace: team-a, name: readers}
        subjects: [{kind: User, name: reader, apiGroup: rbac.authorization.k8s.io}]
        roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {namespace: team-a, name: db-writers}
        subjects: [{kind: User, name: db-writer, apiGroup: rbac.authorization.k8s.io}]
        roleRef: {kind: Role, name: db-writer, apiGroup: rbac.authorization.k8s.io}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {namespace: team-a, name: app-reads-named}
        subjects: [{kind: ServiceAccount, name: app, namespace: team-a}]
        roleRef: {kind: Role, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
        """;

    private AccessWorld(TestServer server, ManualTimeProvider clock, TestIssuer issuer)
    {
        Server = server;
        Clock = clock;
        JwtIssuer = issuer;
    }

    public TestServer Server { get; }

    public ManualTimeProvider Clock { get; }

    public TestIssuer JwtIssuer { get; }

    /// <summary>Caller name to the Authorization header value it sends (null: none at all).</summary>
    public Dictionary<string, string?> Callers { get; } = new(StringComparer.Ordinal);

    public static async Task<AccessWorld> StartAsync()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var issuer = new TestIssuer();
        var server = await TestServer.StartDevAsync(clock, (folder, options) =>
        {
            var jwks = Path.Combine(folder, "jwks.json");
            File.WriteAllText(jwks, issuer.JwksJson);
            return options with { KubernetesAuth = new IdentityProviderOptions { Issuer = Issuer, JwksPath = jwks, Audiences = [Audience] } };
        });
        var world = new AccessWorld(server, clock, issuer);
        await server.CreateNamespacesAsync("team-a", "team-b");
        foreach (var name in new[] { "database-credentials", "api-keys", "other" })
        {
            await server.PutSecretAsync("team-a", name, new Dictionary<string, string> { ["value"] = $"{name}-value" });
        }

        await server.PutSecretAsync("team-b", "b-secret", new Dictionary<string, string> { ["value"] = "b-value" });
        await server.ApplyAsync(Rbac);
        using var loginRole = await server.PutJsonAsync("/v1/auth/kubernetes/roles/apps", """{"boundServiceAccountNames":["app"],"boundNamespaces":["*"],"ttl":"1h"}""");
        loginRole.EnsureSuccessStatusCode();

        world.Callers["none"] = null;
        world.Callers["malformed"] = "Bearer not-a-coffer-token";
        world.Callers["root"] = $"Bearer {server.RootToken}";
        world.Callers["reader"] = $"Bearer {await world.TokenForAsync("reader", "1h")}";
        world.Callers["db-writer"] = $"Bearer {await world.TokenForAsync("db-writer", "1h")}";
        world.Callers["expired"] = $"Bearer {await world.TokenForAsync("reader", "1m")}";
        var revoked = await world.CreateTokenAsync("reader", "1h");
        using (var revoke = await server.SendJsonAsync(HttpMethod.Delete, $"/v1/tokens/{revoked["accessor"]!.GetValue<string>()}"))
        {
            revoke.EnsureSuccessStatusCode();
        }

        world.Callers["revoked"] = $"Bearer {revoked["token"]!.GetValue<string>()}";
        world.Callers["sa-team-a"] = $"Bearer {await world.LoginAsync("team-a", "app")}";
        world.Callers["sa-team-b"] = $"Bearer {await world.LoginAsync("team-b", "app")}";
        clock.Advance(TimeSpan.FromMinutes(2));

        // From here on every request says who it is; the client's default root header would hide a missing one.
        server.UseToken(null);
        return world;
    }

    /// <summary>A root-minted token carrying <paramref name="user"/>'s identity.</summary>
    public async Task<string> TokenForAsync(string user, string ttl) => (await CreateTokenAsync(user, ttl))["token"]!.GetValue<string>();

    public async Task<JsonObject> CreateTokenAsync(string user, string ttl)
    {
        var previous = Server.Client.DefaultRequestHeaders.Authorization;
        Server.UseToken(Server.RootToken);
        try
        {
            return await Server.PostJsonAsync("/v1/tokens", new JsonObject { ["displayName"] = user, ["user"] = user, ["ttl"] = ttl }.ToJsonString());
        }
        finally
        {
            Server.Client.DefaultRequestHeaders.Authorization = previous;
        }
    }

    /// <summary>A projected service-account token as the cluster would sign it.</summary>
    public string ServiceAccountJwt(string ns, string name, string? audience = null, string? issuer = null, TimeSpan? expiresIn = null, Microsoft.IdentityModel.Tokens.SigningCredentials? credentials = null)
    {
        var now = Clock.GetUtcNow();
        return TestIssuer.Sign(
            new JsonObject
            {
                ["iss"] = issuer ?? Issuer,
                ["aud"] = new JsonArray(audience ?? Audience),
                ["sub"] = $"system:serviceaccount:{ns}:{name}",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = (now + (expiresIn ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
                ["kubernetes.io"] = new JsonObject
                {
                    ["namespace"] = ns,
                    ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = Guid.NewGuid().ToString() },
                },
            },
            credentials ?? JwtIssuer.RsaCredentials);
    }

    public async Task<HttpResponseMessage> LoginResponseAsync(string role, string jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/kubernetes/login")
        {
            Content = new StringContent(new JsonObject { ["role"] = role, ["jwt"] = jwt }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        return await Server.Client.SendAsync(request);
    }

    public async Task<string> LoginAsync(string ns, string name)
    {
        using var response = await LoginResponseAsync("apps", ServiceAccountJwt(ns, name));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"login of {ns}/{name} failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["token"]!.GetValue<string>();
    }

    /// <summary>Sends a request as <paramref name="caller"/>, whatever the server's client holds.</summary>
    public async Task<(int Status, string Body)> SendAsync(string caller, HttpMethod method, string path, string? body = null, string contentType = "application/json", string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (Callers[caller] is { } header)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(header);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await Server.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        JwtIssuer.Dispose();
    }
}
