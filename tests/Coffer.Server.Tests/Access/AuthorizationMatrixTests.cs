using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Access;

/// <summary>
/// Every endpoint against every kind of caller: status codes, and that a refusal reveals nothing (a forbidden read of an
/// existing secret and of a missing one answer alike). Mutations carry a stale If-Match, so an allowed one is a 409 and
/// leaves state as it was, except the last row, which seals the server.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private const string Stale = "\"999\"";
    private const string Yaml = "application/yaml";

    /// <summary>Callers that never get past authentication.</summary>
    private static readonly string[] Unauthenticated = ["none", "malformed", "expired", "revoked"];

    /// <summary>Columns of <see cref="Rows"/>: the expected status per authenticated caller.</summary>
    private static readonly string[] Callers = ["reader", "db-writer", "sa-team-a", "sa-team-b", "root"];

    private static readonly MatrixRow[] Rows =
    [
        new("GET", "/v1/namespaces/team-a/secrets/database-credentials", null, null, [200, 200, 200, 403, 200]),
        new("GET", "/v1/namespaces/team-a/secrets/api-keys", null, null, [200, 403, 200, 403, 200]),
        new("GET", "/v1/namespaces/team-a/secrets/other", null, null, [200, 403, 403, 403, 200]),
        new("GET", "/v1/namespaces/team-a/secrets/missing", null, null, [404, 403, 403, 403, 404]),
        new("GET", "/v1/namespaces/team-b/secrets/b-secret", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/namespaces/team-a/secrets", null, null, [200, 200, 200, 403, 200]),
        new("GET", "/v1/namespaces/team-a/secrets/database-credentials/versions", null, null, [200, 403, 403, 403, 200]),
        new("PUT", "/v1/namespaces/team-a/secrets/database-credentials", """{"stringData":{"v":"x"}}""", Stale, [403, 409, 403, 403, 409]),
        new("PUT", "/v1/namespaces/team-a/secrets/other", """{"stringData":{"v":"x"}}""", Stale, [403, 403, 403, 403, 409]),
        new("PATCH", "/v1/namespaces/team-a/secrets/database-credentials/metadata", """{"labels":{"a":"b"}}""", Stale, [403, 409, 403, 403, 409]),
        new("DELETE", "/v1/namespaces/team-a/secrets/database-credentials", null, Stale, [403, 409, 403, 403, 409]),
        new("POST", "/v1/namespaces/team-a/secrets/database-credentials/undelete", null, Stale, [403, 409, 403, 403, 409]),
        new("POST", "/v1/namespaces/team-a/secrets/database-credentials/destroy?versions=1", null, Stale, [403, 409, 403, 403, 409]),
        new("POST", "/v1/namespaces/team-a/secrets/database-credentials/rollback", """{"version":1}""", Stale, [403, 409, 403, 403, 409]),
        new("GET", "/v1/watch/namespaces/team-a/secrets?revision=0&timeoutSeconds=0", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/namespaces", null, null, [200, 200, 200, 200, 200]),
        new("POST", "/v1/namespaces", """{"name":"team-a"}""", null, [403, 403, 403, 403, 409]),
        new("DELETE", "/v1/namespaces/team-b", null, null, [403, 403, 403, 403, 409]),
        new("GET", "/v1/tokens", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/tokens", """{"ttl":"1h"}""", null, [403, 403, 403, 403, 201]),
        new("GET", "/v1/tokens/self", null, null, [200, 200, 200, 200, 200]),
        new("GET", "/v1/tokens/no-such-accessor", null, null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/tokens/no-such-accessor/renew", null, null, [403, 403, 403, 403, 404]),
        new("DELETE", "/v1/tokens/no-such-accessor", null, null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/access/apply", AccessWorld.Rbac, null, [403, 403, 403, 403, 200], Yaml),
        new("POST", "/v1/access/delete", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: never-made}\nrules: []\n", null, [403, 403, 403, 403, 200], Yaml),
        new("POST", "/v1/access/can-i", """{"verb":"get","resource":"secrets","namespace":"team-a"}""", null, [200, 200, 200, 200, 200]),
        new("GET", "/v1/access/who-can?verb=get&resource=secrets&namespace=team-a", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/access/review", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/auth/kubernetes/roles", null, null, [403, 403, 403, 403, 200]),
        new("PUT", "/v1/auth/kubernetes/roles/apps", """{"boundServiceAccountNames":["app"],"boundNamespaces":["*"],"ttl":"1h"}""", null, [403, 403, 403, 403, 200]),
        new("DELETE", "/v1/auth/kubernetes/roles/no-such-role", null, null, [403, 403, 403, 403, 404]),
        new("GET", "/v1/audit/checkpoint", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/audit/hash", """{"value":"x"}""", null, [403, 403, 403, 403, 200]),
        new("GET", "/metrics", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/alerts", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/sys/keys", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/sys/keys/rotate", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/sys/keys/rewrap", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/namespaces/team-a/rotation", null, null, [403, 403, 403, 403, 200]),
        new("GET", "/v1/namespaces/team-a/rotation/policy", null, null, [403, 403, 403, 403, 200]),
        new("PUT", "/v1/namespaces/team-a/rotation/policy", """{"defaultPeriod":"soon"}""", null, [403, 403, 403, 403, 400]),
        new("GET", "/v1/namespaces/team-a/rotation/secrets/database-credentials", null, null, [403, 403, 403, 403, 200]),
        new("PUT", "/v1/namespaces/team-a/rotation/secrets/database-credentials", """{"rotator":"nope"}""", null, [403, 403, 403, 403, 400]),
        new("DELETE", "/v1/namespaces/team-a/rotation/secrets/database-credentials", null, null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/namespaces/team-a/rotation/secrets/database-credentials/rotate", null, null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/namespaces/team-a/rotation/secrets/database-credentials/steps/create", """{"token":"t1"}""", null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/namespaces/team-a/rotation/secrets/database-credentials/rollout", """{"version":0,"state":"Started"}""", null, [403, 403, 403, 403, 400]),
        new("GET", "/v1/namespaces/team-a/database/connections/pg", null, null, [403, 403, 403, 403, 404]),
        new("PUT", "/v1/namespaces/team-a/database/connections/pg", """{"connectionSecret":"Not_A_Name"}""", null, [403, 403, 403, 403, 400]),
        new("DELETE", "/v1/namespaces/team-a/database/connections/pg", null, null, [403, 403, 403, 403, 404]),
        new("GET", "/v1/namespaces/team-a/database/roles/ro", null, null, [403, 403, 403, 403, 404]),
        new("PUT", "/v1/namespaces/team-a/database/roles/ro", """{"connection":"pg","creationStatements":[]}""", null, [403, 403, 403, 403, 400]),
        new("DELETE", "/v1/namespaces/team-a/database/roles/ro", null, null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/namespaces/team-a/database/creds/ro", null, null, [403, 403, 403, 403, 404]),
        new("GET", "/v1/namespaces/team-a/leases", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/namespaces/team-a/leases/renew", """{"leaseId":"team-a/database/creds/ro/x"}""", null, [403, 403, 403, 403, 404]),
        new("POST", "/v1/namespaces/team-a/leases/revoke", """{"leaseId":"team-a/database/creds/ro/x"}""", null, [403, 403, 403, 403, 404]),
        new("GET", "/v1/kms/status", null, null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/kms/encrypt", """{"plaintext":"AAAAAAAAAAAAAAAAAAAAAA=="}""", null, [403, 403, 403, 403, 200]),
        new("POST", "/v1/kms/decrypt", """{"ciphertext":"AAAA","keyId":"coffer-kek-1"}""", null, [403, 403, 403, 403, 400]),
        new("POST", "/v1/sealing/rotate", """{"apiVersion":"v1","kind":"Secret"}""", null, [403, 403, 403, 403, 400]),
        new("POST", "/v1/sealing/verify", """{"apiVersion":"v1","kind":"Secret"}""", null, [403, 403, 403, 403, 400]),
        new("POST", "/v1/namespaces/team-a/sealedsecrets/db/unseal", """{"apiVersion":"v1","kind":"Secret"}""", null, [403, 403, 403, 403, 400]),
        new("POST", "/v1/sys/seal", null, null, [403, 403, 403, 403, 200]),
    ];

    private AccessWorld world = null!;

    public async Task InitializeAsync() => world = await AccessWorld.StartAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task EveryEndpoint_EveryCaller_GetsTheExpectedStatus()
    {
        var mismatches = new List<string>();
        foreach (var row in Rows)
        {
            var expected = Unauthenticated.Select(c => (Caller: c, Status: 401)).Concat(Callers.Zip(row.Expected, (c, s) => (Caller: c, Status: s)));
            foreach (var (caller, status) in expected)
            {
                var (actual, body) = await world.SendAsync(caller, new HttpMethod(row.Method), row.Path, row.Body, row.ContentType, row.IfMatch);
                if (actual != status)
                {
                    mismatches.Add($"{row.Method} {row.Path} as {caller}: expected {status}, got {actual} {body}");
                }
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Matrix_CoversEveryEndpointThatNeedsAToken()
    {
        var routes = world.Server.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .ToHashSet(StringComparer.Ordinal);
        var covered = Rows.Select(r => $"{r.Method} {Pattern(r.Path)}").ToHashSet(StringComparer.Ordinal);

        Assert.Empty(routes.Except(covered).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("db-writer", "other")]
    [InlineData("sa-team-a", "other")]
    [InlineData("sa-team-b", "database-credentials")]
    public async Task ForbiddenRead_OfExistingAndMissingSecret_AnswersAlike(string caller, string existing)
    {
        Assert.Equal(200, (await world.SendAsync("root", HttpMethod.Get, $"/v1/namespaces/team-a/secrets/{existing}")).Status);
        var forExisting = await world.SendAsync(caller, HttpMethod.Get, $"/v1/namespaces/team-a/secrets/{existing}");
        var forMissing = await world.SendAsync(caller, HttpMethod.Get, "/v1/namespaces/team-a/secrets/no-such-secret");

        Assert.Equal(403, forExisting.Status);
        Assert.Equal(forExisting, forMissing);
        Assert.DoesNotContain("value", forExisting.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForbiddenNamespace_ExistingAndMissing_AnswerAlike()
    {
        var existing = await world.SendAsync("sa-team-b", HttpMethod.Get, "/v1/namespaces/team-a/secrets");
        var missing = await world.SendAsync("sa-team-b", HttpMethod.Get, "/v1/namespaces/team-z/secrets");

        Assert.Equal(403, existing.Status);
        Assert.Equal(existing.Status, missing.Status);
        Assert.Equal(existing.Body.Replace("team-a", "NS", StringComparison.Ordinal), missing.Body.Replace("team-z", "NS", StringComparison.Ordinal));
    }

    /// <summary>Maps a concrete path back to its route pattern, so coverage can be compared.</summary>
    private static string Pattern(string path)
    {
        var bare = path.Split('?')[0];
        var parts = bare.Split('/');
        return parts switch
        {
            [_, "v1", "namespaces", _, "secrets"] => "/v1/namespaces/{namespace}/secrets",
            [_, "v1", "namespaces", _, "secrets", _] => "/v1/namespaces/{namespace}/secrets/{name}",
            [_, "v1", "namespaces", _, "sealedsecrets", _, "unseal"] => "/v1/namespaces/{namespace}/sealedsecrets/{name}/unseal",
            [_, "v1", "namespaces", _, "secrets", _, var tail] => $"/v1/namespaces/{{namespace}}/secrets/{{name}}/{tail}",
            [_, "v1", "namespaces", _] => "/v1/namespaces/{name}",
            [_, "v1", "namespaces", _, "rotation"] => "/v1/namespaces/{namespace}/rotation",
            [_, "v1", "namespaces", _, "rotation", "policy"] => "/v1/namespaces/{namespace}/rotation/policy",
            [_, "v1", "namespaces", _, "rotation", "secrets", _] => "/v1/namespaces/{namespace}/rotation/secrets/{name}",
            [_, "v1", "namespaces", _, "rotation", "secrets", _, "rotate"] => "/v1/namespaces/{namespace}/rotation/secrets/{name}/rotate",
            [_, "v1", "namespaces", _, "rotation", "secrets", _, "rollout"] => "/v1/namespaces/{namespace}/rotation/secrets/{name}/rollout",
            [_, "v1", "namespaces", _, "rotation", "secrets", _, "steps", _] => "/v1/namespaces/{namespace}/rotation/secrets/{name}/steps/{step}",
            [_, "v1", "namespaces", _, "database", var kind, _] => $"/v1/namespaces/{{namespace}}/database/{kind}/{{name}}",
            [_, "v1", "namespaces", _, "leases"] => "/v1/namespaces/{namespace}/leases",
            [_, "v1", "namespaces", _, "leases", var action] => $"/v1/namespaces/{{namespace}}/leases/{action}",
            [_, "v1", "watch", "namespaces", _, "secrets"] => "/v1/watch/namespaces/{namespace}/secrets",
            [_, "v1", "tokens", var t] when t != "self" => "/v1/tokens/{accessor}",
            [_, "v1", "tokens", _, "renew"] => "/v1/tokens/{accessor}/renew",
            [_, "v1", "auth", "kubernetes", "roles", _] => "/v1/auth/kubernetes/roles/{role}",
            _ => bare,
        };
    }

    private sealed record MatrixRow(string Method, string Path, string? Body, string? IfMatch, int[] Expected, string ContentType = "application/json");
}
