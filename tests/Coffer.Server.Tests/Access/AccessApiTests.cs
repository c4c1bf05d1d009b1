using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Access;

/// <summary>Least privilege through the API: filtered lists, namespace isolation, apply all-or-nothing, no escalation, can-i, who-can, review.</summary>
public sealed class AccessApiTests : IAsyncLifetime
{
    private const string Yaml = "application/yaml";
    private AccessWorld world = null!;

    public async Task InitializeAsync() => world = await AccessWorld.StartAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task ListSecrets_WithOnlyNamedGets_ShowsThoseNamesAndNoValues()
    {
        var named = await ListAsync("sa-team-a", "/v1/namespaces/team-a/secrets");
        var reader = await ListAsync("reader", "/v1/namespaces/team-a/secrets");
        var writer = await ListAsync("db-writer", "/v1/namespaces/team-a/secrets");

        Assert.Equal(["api-keys", "database-credentials"], Names(named));
        Assert.Equal(["api-keys", "database-credentials", "other"], Names(reader));
        Assert.Equal(["database-credentials"], Names(writer));
        Assert.DoesNotContain("-value", named.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"data\"", reader.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListNamespaces_ShowsOnlyThoseWithRulesForTheCaller()
    {
        Assert.Equal(["team-a"], Names(await ListAsync("reader", "/v1/namespaces")));
        Assert.Empty(Names(await ListAsync("sa-team-b", "/v1/namespaces")));
        Assert.Equal(["default", "team-a", "team-b"], Names(await ListAsync("root", "/v1/namespaces")));
    }

    [Fact]
    public async Task Apply_SecondDocumentInvalid_NamesItAndAppliesNothing()
    {
        const string manifest = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: fine}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-a, name: broken}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [gett]}]
            """;

        var (status, body) = await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", manifest, Yaml);
        var who = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/access/who-can?verb=get&resource=secrets&namespace=team-b")).Body)!;

        Assert.Equal(400, status);
        Assert.Contains("document 2", body, StringComparison.Ordinal);
        Assert.Contains("verbs[0]", body, StringComparison.Ordinal);
        Assert.Empty(who["subjects"]!.AsArray());
        var again = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", AccessWorld.Rbac, Yaml)).Body)!;
        Assert.All(again["items"]!.AsArray(), i => Assert.Equal("unchanged", (string?)i!["outcome"]));
    }

    [Fact]
    public async Task Apply_ThenDelete_ReportsWhatChanged()
    {
        const string manifest = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-b, name: temp}
            rules: []
            """;

        var applied = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", manifest, Yaml)).Body)!;
        var deleted = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Post, "/v1/access/delete", manifest, Yaml)).Body)!;
        var twice = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Post, "/v1/access/delete", manifest, Yaml)).Body)!;

        Assert.Equal("created", (string?)applied["items"]![0]!["outcome"]);
        Assert.Equal("deleted", (string?)deleted["items"]![0]!["outcome"]);
        Assert.Equal("not found", (string?)twice["items"]![0]!["outcome"]);
    }

    [Fact]
    public async Task Apply_GrantingMoreThanTheAuthorHolds_IsRefused()
    {
        await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-a, name: role-admin}
            rules: [{apiGroups: [""], resources: [roles, rolebindings], verbs: [create, update]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {namespace: team-a, name: reader-admins}
            subjects: [{kind: User, name: reader}]
            roleRef: {kind: Role, name: role-admin, apiGroup: rbac.authorization.k8s.io}
            """, Yaml);

        var escalation = await world.SendAsync("reader", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-a, name: writer}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [update]}]
            """, Yaml);
        var withinReach = await world.SendAsync("reader", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-a, name: lister}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
            """, Yaml);
        var otherNamespace = await world.SendAsync("reader", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-b, name: lister}
            rules: []
            """, Yaml);

        Assert.Equal(403, escalation.Status);
        Assert.Contains("Escalation", escalation.Body, StringComparison.Ordinal);
        Assert.Equal(200, withinReach.Status);
        Assert.Equal(403, otherNamespace.Status);
    }

    [Fact]
    public async Task CanI_AnswersForSelf_AndForOthersOnlyWithImpersonate()
    {
        var yes = JsonNode.Parse((await world.SendAsync("sa-team-a", HttpMethod.Post, "/v1/access/can-i", """{"verb":"get","resource":"secrets","namespace":"team-a","name":"api-keys"}""")).Body)!;
        var no = JsonNode.Parse((await world.SendAsync("sa-team-a", HttpMethod.Post, "/v1/access/can-i", """{"verb":"get","resource":"secrets","namespace":"team-a","name":"other"}""")).Body)!;
        var asOther = await world.SendAsync("reader", HttpMethod.Post, "/v1/access/can-i", """{"verb":"get","resource":"secrets","namespace":"team-a","user":"db-writer"}""");
        var rootAs = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Post, "/v1/access/can-i", """{"verb":"update","resource":"secrets","namespace":"team-a","name":"database-credentials","user":"db-writer"}""")).Body)!;
        var listed = JsonNode.Parse((await world.SendAsync("sa-team-a", HttpMethod.Post, "/v1/access/can-i", """{"namespace":"team-a","list":true}""")).Body)!;

        Assert.True((bool)yes["allowed"]!);
        Assert.Contains("RoleBinding team-a/app-reads-named", (string?)yes["reason"], StringComparison.Ordinal);
        Assert.False((bool)no["allowed"]!);
        Assert.Equal(403, asOther.Status);
        Assert.True((bool)rootAs["allowed"]!);
        Assert.Equal(["database-credentials", "api-keys"], listed["rules"]![0]!["resourceNames"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task WhoCan_NamesEverySubjectWithBindingAndRole()
    {
        var answer = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/access/who-can?verb=get&resource=secrets&namespace=team-a&name=database-credentials")).Body)!;
        var rows = answer["subjects"]!.AsArray()
            .Select(g => $"{g!["subject"]!["kind"]} {g["subject"]!["name"]} via {g["bindingKind"]} {g["bindingName"]} -> {g["roleKind"]} {g["roleName"]}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(
            [
                "ServiceAccount app via RoleBinding app-reads-named -> Role secret-reader",
                "User db-writer via RoleBinding db-writers -> Role db-writer",
                "User reader via RoleBinding readers -> Role reader",
            ],
            rows);
    }

    [Fact]
    public async Task Review_FlagsWildcardsBroadGroupsAndEternalRootToken()
    {
        await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: everything}
            rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: everyone-everything}
            subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
            roleRef: {kind: ClusterRole, name: everything, apiGroup: rbac.authorization.k8s.io}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: nobody-uses-me}
            rules: []
            """, Yaml);

        var findings = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/access/review")).Body)!["findings"]!.AsArray();
        var codes = findings.Select(f => (string?)f!["code"]).ToHashSet();

        Assert.Contains("WildcardVerb", codes);
        Assert.Contains("WildcardResource", codes);
        Assert.Contains("BroadGroupBinding", codes);
        Assert.Contains("UnusedRole", codes);
        Assert.Contains("TokenWithoutExpiry", codes);
        Assert.DoesNotContain("UnknownSubject", findings.Where(f => ((string?)f!["object"])!.Contains("readers", StringComparison.Ordinal)).Select(f => (string?)f!["code"]));
        Assert.All(findings, f => Assert.False(string.IsNullOrEmpty((string?)f!["fix"])));
        Assert.All(findings, f => Assert.Contains((string?)f!["severity"], new[] { "Low", "Medium", "High", "Critical" }));
    }

    [Fact]
    public async Task CreateOnly_MakesNewSecretsButNeverOverwrites()
    {
        await world.SendAsync("root", HttpMethod.Post, "/v1/access/apply", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: team-b, name: creator}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [create]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {namespace: team-b, name: creators}
            subjects: [{kind: ServiceAccount, name: app, namespace: team-b}]
            roleRef: {kind: Role, name: creator, apiGroup: rbac.authorization.k8s.io}
            """, Yaml);

        var created = await world.SendAsync("sa-team-b", HttpMethod.Put, "/v1/namespaces/team-b/secrets/new-one", """{"stringData":{"v":"1"}}""");
        var overwrite = await world.SendAsync("sa-team-b", HttpMethod.Put, "/v1/namespaces/team-b/secrets/b-secret", """{"stringData":{"v":"2"}}""");
        var update = await world.SendAsync("sa-team-b", HttpMethod.Put, "/v1/namespaces/team-b/secrets/b-secret", """{"stringData":{"v":"2"}}""", ifMatch: "\"1\"");
        var still = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/namespaces/team-b/secrets/b-secret")).Body)!;

        Assert.Equal(201, created.Status);
        Assert.Equal(409, overwrite.Status);
        Assert.Equal(403, update.Status);
        Assert.Equal(1, (long)still["metadata"]!["version"]!);
    }

    [Fact]
    public async Task DeleteNamespace_NotEmpty_NeedsForce()
    {
        var refused = await world.SendAsync("root", HttpMethod.Delete, "/v1/namespaces/team-b");
        var forced = await world.SendAsync("root", HttpMethod.Delete, "/v1/namespaces/team-b?force=true");
        var gone = await world.SendAsync("root", HttpMethod.Get, "/v1/namespaces/team-b/secrets/b-secret");

        Assert.Equal(409, refused.Status);
        Assert.Contains("NamespaceNotEmpty", refused.Body, StringComparison.Ordinal);
        Assert.Equal(200, forced.Status);
        Assert.Equal(404, gone.Status);
    }

    private async Task<JsonNode> ListAsync(string caller, string path)
    {
        var (status, body) = await world.SendAsync(caller, HttpMethod.Get, path);
        Assert.True(status == 200, $"GET {path} as {caller}: {status} {body}");
        return JsonNode.Parse(body)!;
    }

    private static List<string?> Names(JsonNode list) =>
        list["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToList();
}
