using System.Text;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Access;

/// <summary>Malformed, oversized, wrong-typed and hostile input to the access endpoints: a clear 4xx and no change.</summary>
public sealed class AccessBadInputTests : IAsyncLifetime
{
    private AccessWorld world = null!;

    public async Task InitializeAsync() => world = await AccessWorld.StartAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    public static TheoryData<string, string, string?, string, int> Cases => new()
    {
        { "POST", "/v1/namespaces", """{"name":"Team_A"}""", "application/json", 400 },
        { "POST", "/v1/namespaces", """{"name":42}""", "application/json", 400 },
        { "POST", "/v1/namespaces", """{"name":"ok","extra":1}""", "application/json", 400 },
        { "POST", "/v1/namespaces", "{", "application/json", 400 },
        { "POST", "/v1/namespaces", "{}", "application/json", 400 },
        { "POST", "/v1/namespaces", new string('a', 64), "application/json", 400 },
        { "DELETE", "/v1/namespaces/team-b?force=maybe", null, "application/json", 400 },
        { "POST", "/v1/access/apply", "kind: Role", "application/json", 400 },
        { "POST", "/v1/access/apply", "a: &x [1]\nb: *x\n", "application/yaml", 400 },
        { "POST", "/v1/access/apply", "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n", "application/yaml", 400 },
        { "POST", "/v1/access/apply", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x, namespace: team-a}\nrules: yes\n", "application/yaml", 400 },
        { "POST", "/v1/access/apply", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x, namespace: team-a}\nroleRef: {kind: Role, name: no-such-role, apiGroup: rbac.authorization.k8s.io}\nsubjects: []\n", "application/yaml", 404 },
        { "POST", "/v1/access/apply", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x, namespace: nowhere}\nrules: []\n", "application/yaml", 404 },
        { "POST", "/v1/access/can-i", """{"resource":"secrets"}""", "application/json", 400 },
        { "POST", "/v1/access/can-i", """{"verb":"get","resource":"secrets","namespace":"Bad NS"}""", "application/json", 400 },
        { "POST", "/v1/access/can-i", """{"verb":["get"],"resource":"secrets"}""", "application/json", 400 },
        { "GET", "/v1/access/who-can?resource=secrets", null, "application/json", 400 },
        { "GET", "/v1/access/who-can?verb=get&resource=secrets&namespace=NOT_VALID", null, "application/json", 400 },
        { "POST", "/v1/tokens/self/renew", """{"increment":"soon"}""", "application/json", 400 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_IsAClear4xx_AndChangesNothing(string method, string path, string? body, string contentType, int status)
    {
        var before = await SnapshotAsync();

        var (actual, text) = await world.SendAsync("root", new HttpMethod(method), path, body, contentType);

        Assert.True(actual == status, $"{method} {path}: expected {status}, got {actual} {text}");
        var error = JsonNode.Parse(text)!;
        Assert.Equal("Status", (string?)error["kind"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Apply_Oversized_Is413()
    {
        var huge = "# " + new string('x', 1024 * 1024 + 10) + "\n";

        var (status, _) = await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", huge, "application/yaml");

        Assert.Equal(413, status);
    }

    [Fact]
    public async Task Apply_NotUtf8_Is400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/access/apply") { Content = new ByteArrayContent([0x6B, 0x3A, 0x20, 0xC3, 0x28]) };
        request.Content.Headers.ContentType = new("application/yaml");
        request.Headers.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(world.Callers["root"]!);

        using var response = await world.Server.Client.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.DoesNotContain("\uFFFD", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Namespaces, roles, bindings and login roles, as root sees them.</summary>
    private async Task<string> SnapshotAsync()
    {
        var parts = new StringBuilder();
        foreach (var path in new[] { "/v1/namespaces", "/v1/access/who-can?verb=*&resource=*&namespace=team-a", "/v1/auth/kubernetes/roles" })
        {
            parts.Append((await world.SendAsync("root", HttpMethod.Get, path)).Body).Append('\n');
        }

        return parts.ToString();
    }
}
