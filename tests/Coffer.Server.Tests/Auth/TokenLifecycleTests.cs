using System.Text.Json.Nodes;
using Coffer.Server.Tests.Access;

namespace Coffer.Server.Tests.Auth;

/// <summary>Tokens: TTL and maximum TTL, renewal, revocation alone or with descendants, roles bound to a token, no escalation.</summary>
public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private AccessWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await AccessWorld.StartAsync();
        await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: token-maker}
            rules: [{apiGroups: [""], resources: [tokens], verbs: [create]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: readers-make-tokens}
            subjects: [{kind: User, name: reader}]
            roleRef: {kind: ClusterRole, name: token-maker, apiGroup: rbac.authorization.k8s.io}
            """, "application/yaml");
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task Renew_MovesExpiry_NeverPastMaxTtl()
    {
        var created = await CreateAsync("root", """{"displayName":"ci","ttl":"1h","maxTtl":"90m","renewable":true}""");
        Use("ci", created);
        world.Clock.Advance(TimeSpan.FromMinutes(50));

        var renewed = JsonNode.Parse((await world.SendAsync("ci", HttpMethod.Post, $"/v1/tokens/{created["accessor"]}/renew")).Body)!;
        world.Clock.Advance(TimeSpan.FromMinutes(35));
        var stillAlive = await world.SendAsync("ci", HttpMethod.Get, "/v1/tokens/self");
        world.Clock.Advance(TimeSpan.FromMinutes(10));
        var dead = await world.SendAsync("ci", HttpMethod.Get, "/v1/tokens/self");

        Assert.Equal(created["createdAt"]!.GetValue<DateTimeOffset>().AddMinutes(90), renewed["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(200, stillAlive.Status);
        Assert.Equal(401, dead.Status);
    }

    [Fact]
    public async Task Renew_NotRenewable_Is409()
    {
        var created = await CreateAsync("root", """{"ttl":"1h"}""");
        Use("fixed", created);

        var refused = await world.SendAsync("fixed", HttpMethod.Post, "/v1/tokens/self/renew".Replace("self", (string)created["accessor"]!, StringComparison.Ordinal));

        Assert.Equal(409, refused.Status);
        Assert.Contains("TokenNotRenewable", refused.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_WithDescendants_EndsTheWholeTree_OrphanKeepsChildren()
    {
        var parent = await CreateAsync("reader", """{"displayName":"parent","ttl":"1h"}""");
        Use("parent", parent);
        var child = await CreateAsync("parent", """{"displayName":"child","ttl":"1h"}""");
        Use("child", child);
        var grandchild = await CreateAsync("child", """{"displayName":"grandchild","ttl":"1h"}""");
        Use("grandchild", grandchild);
        var other = await CreateAsync("reader", """{"displayName":"other","ttl":"1h"}""");
        Use("other", other);
        var orphan = await CreateAsync("other", """{"displayName":"orphan","ttl":"1h"}""");
        Use("orphan", orphan);

        var tree = JsonNode.Parse((await world.SendAsync("parent", HttpMethod.Delete, $"/v1/tokens/{parent["accessor"]}")).Body)!;
        var alone = await world.SendAsync("other", HttpMethod.Delete, $"/v1/tokens/{other["accessor"]}?descendants=false");

        Assert.Equal(3, tree["accessors"]!.AsArray().Count);
        Assert.Equal(200, alone.Status);
        Assert.Equal(401, (await world.SendAsync("grandchild", HttpMethod.Get, "/v1/tokens/self")).Status);
        Assert.Equal(401, (await world.SendAsync("other", HttpMethod.Get, "/v1/tokens/self")).Status);
        Assert.Equal(200, (await world.SendAsync("orphan", HttpMethod.Get, "/v1/tokens/self")).Status);
        Assert.Equal("reader", (string?)JsonNode.Parse((await world.SendAsync("orphan", HttpMethod.Get, "/v1/tokens/self")).Body)!["user"]);
    }

    [Fact]
    public async Task Create_NonRoot_CarriesOwnIdentity_AndCannotEscalate()
    {
        var ownIdentity = await world.SendAsync("reader", HttpMethod.Post, "/v1/tokens", """{"ttl":"1h","user":"admin"}""");
        var eternal = await world.SendAsync("reader", HttpMethod.Post, "/v1/tokens", """{"displayName":"forever"}""");
        var withWriter = await world.SendAsync("reader", HttpMethod.Post, "/v1/tokens", """{"ttl":"1h","roles":[{"namespace":"team-a","name":"db-writer"}]}""");
        var withReader = await world.SendAsync("reader", HttpMethod.Post, "/v1/tokens", """{"ttl":"1h","roles":[{"namespace":"team-a","name":"secret-reader"}]}""");

        Assert.Equal(403, ownIdentity.Status);
        Assert.Equal(400, eternal.Status);
        Assert.Equal(403, withWriter.Status);
        Assert.Contains("Escalation", withWriter.Body, StringComparison.Ordinal);
        Assert.Equal(201, withReader.Status);
        Assert.Equal("reader", (string?)JsonNode.Parse(withReader.Body)!["user"]);
    }

    [Fact]
    public async Task TokenRoles_GrantOnTopOfTheIdentity()
    {
        var created = await CreateAsync("root", """{"ttl":"1h","user":"nobody","roles":[{"namespace":"team-a","name":"secret-reader"}]}""");
        Use("bound", created);

        Assert.Equal(200, (await world.SendAsync("bound", HttpMethod.Get, "/v1/namespaces/team-a/secrets/api-keys")).Status);
        Assert.Equal(403, (await world.SendAsync("bound", HttpMethod.Get, "/v1/namespaces/team-a/secrets/other")).Status);
        Assert.Equal(403, (await world.SendAsync("bound", HttpMethod.Get, "/v1/namespaces/team-b/secrets/b-secret")).Status);
    }

    [Fact]
    public async Task Child_NeverOutlivesItsParent()
    {
        var parent = await CreateAsync("reader", """{"ttl":"30m"}""");
        Use("short", parent);

        var child = await CreateAsync("short", """{"ttl":"2h"}""");

        Assert.Equal(parent["expiresAt"]!.GetValue<DateTimeOffset>(), child["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("""{"ttl":"0h"}""")]
    [InlineData("""{"ttl":"forever"}""")]
    [InlineData("""{"ttl":"1h","maxTtl":"30m"}""")]
    [InlineData("""{"ttl":"1h","roles":[{"name":""}]}""")]
    [InlineData("""{"ttl":1}""")]
    [InlineData("""{"ttl":"1h","unknown":true}""")]
    public async Task Create_BadInput_Is400(string body)
    {
        var before = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/tokens")).Body)!["items"]!.AsArray().Count;

        var (status, _) = await world.SendAsync("root", HttpMethod.Post, "/v1/tokens", body);

        Assert.Equal(400, status);
        Assert.Equal(before, JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/tokens")).Body)!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task RevokingRoot_LeavesNoStandingRootCredential()
    {
        var self = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/tokens/self")).Body)!;

        var revoked = await world.SendAsync("root", HttpMethod.Delete, $"/v1/tokens/{self["accessor"]}?descendants=false");

        Assert.Equal(200, revoked.Status);
        Assert.Equal(401, (await world.SendAsync("root", HttpMethod.Get, "/v1/tokens/self")).Status);
        Assert.Equal(200, (await world.SendAsync("reader", HttpMethod.Get, "/v1/tokens/self")).Status);
    }

    private async Task<JsonNode> CreateAsync(string caller, string body)
    {
        var (status, text) = await world.SendAsync(caller, HttpMethod.Post, "/v1/tokens", body);
        Assert.True(status == 201, $"create as {caller}: {status} {text}");
        return JsonNode.Parse(text)!;
    }

    private void Use(string name, JsonNode created) => world.Callers[name] = $"Bearer {created["token"]}";
}
