using Coffer.Core.Access;

namespace Coffer.Core.Tests.Access;

public sealed class AccessPolicyTests
{
    private static readonly PolicyRule ReadSecrets = Rule(["get", "list", "watch"], ["secrets"]);

    // The Kubernetes documentation's secret-reader, limited to two named secrets.
    private static readonly AccessRole SecretReader = new("default", "secret-reader", [Rule(["get"], ["secrets"], ["database-credentials", "api-keys"])]);

    [Fact]
    public void Check_RoleBoundByRoleBinding_AllowsOnlyInItsNamespace()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets])],
            [Binding("team-a", "read", AccessKinds.Role, "reader", User("jane"))]);

        var allowed = policy.Check(Jane(), Get("team-a", "db"));
        Assert.True(allowed.Allowed);
        Assert.Equal("RoleBinding team-a/read grants Role team-a/reader", allowed.Reason);
        Assert.False(policy.Check(Jane(), Get("team-b", "db")).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("list", "namespaces", null, null)).Allowed);
    }

    [Fact]
    public void Check_ClusterRoleBoundByRoleBinding_AllowsOnlyInBindingNamespace()
    {
        var policy = new AccessPolicy(
            [new AccessRole(null, "reader", [ReadSecrets, Rule(["list"], ["namespaces"])])],
            [Binding("team-a", "read", AccessKinds.ClusterRole, "reader", User("jane"))]);

        var verdict = policy.Check(Jane(), Get("team-a", "db"));
        Assert.True(verdict.Allowed);
        Assert.Equal("RoleBinding team-a/read grants ClusterRole reader", verdict.Reason);
        Assert.False(policy.Check(Jane(), Get("team-b", "db")).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("list", "namespaces", null, null)).Allowed);
    }

    [Fact]
    public void Check_ClusterRoleBinding_AllowsEveryNamespaceAndClusterScope()
    {
        var policy = new AccessPolicy(
            [new AccessRole(null, "admin", [Rule(["*"], ["*"])])],
            [Binding(null, "admins", AccessKinds.ClusterRole, "admin", User("jane"))]);

        Assert.True(policy.Check(Jane(), Get("team-a", "db")).Allowed);
        Assert.True(policy.Check(Jane(), Get("team-b", "db")).Allowed);
        var clusterScoped = policy.Check(Jane(), new AccessAttributes("list", "namespaces", null, null));
        Assert.True(clusterScoped.Allowed);
        Assert.Equal("ClusterRoleBinding admins grants ClusterRole admin", clusterScoped.Reason);
        Assert.False(policy.Check(new Principal("bob", [], []), Get("team-a", "db")).Allowed);
    }

    [Fact]
    public void Check_ClusterRoleBindingToRole_GrantsNothing()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets])],
            [Binding(null, "bad", AccessKinds.Role, "reader", User("jane"))]);

        Assert.False(policy.Check(Jane(), Get("team-a", "db")).Allowed);
    }

    [Fact]
    public void Check_ResourceNames_AllowsOnlyNamedSecretsAndNeverList()
    {
        var policy = new AccessPolicy([SecretReader], [Binding("default", "read-secrets", AccessKinds.Role, "secret-reader", User("jane"))]);

        Assert.True(policy.Check(Jane(), Get("default", "database-credentials")).Allowed);
        Assert.True(policy.Check(Jane(), Get("default", "api-keys")).Allowed);
        Assert.False(policy.Check(Jane(), Get("default", "other")).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("list", "secrets", "default", null)).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("create", "secrets", "default", null)).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("delete", "secrets", "default", "api-keys")).Allowed);
    }

    [Fact]
    public void Check_Subresource_MatchesOnlyExactlyOrByWildcard()
    {
        var versions = new AccessAttributes("get", "secrets/versions", "team-a", "db");
        Assert.False(Single(Rule(["get"], ["secrets"])).Check(Jane(), versions).Allowed);
        Assert.True(Single(Rule(["get"], ["secrets/versions"])).Check(Jane(), versions).Allowed);
        Assert.False(Single(Rule(["get"], ["secrets/versions"])).Check(Jane(), Get("team-a", "db")).Allowed);
        Assert.True(Single(Rule(["get"], ["*/versions"])).Check(Jane(), versions).Allowed);
        Assert.False(Single(Rule(["get"], ["*/versions"])).Check(Jane(), Get("team-a", "db")).Allowed);
        Assert.True(Single(Rule(["get"], ["*"])).Check(Jane(), versions).Allowed);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("*", true)]
    [InlineData("coffer.dev", true)]
    [InlineData("apps", false)]
    public void Check_ApiGroup_MatchesCoreWildcardOrCoffer(string group, bool allowed)
    {
        var policy = Single(new PolicyRule([group], ["secrets"], ["get"], []));

        Assert.Equal(allowed, policy.Check(Jane(), Get("team-a", "db")).Allowed);
    }

    [Fact]
    public void Check_WildcardVerb_AllowsAnyVerbButOnlyListedResources()
    {
        var policy = Single(Rule(["*"], ["secrets"]));

        Assert.True(policy.Check(Jane(), new AccessAttributes("destroy", "secrets", "team-a", "db")).Allowed);
        Assert.False(policy.Check(Jane(), new AccessAttributes("get", "tokens", "team-a", "t")).Allowed);
    }

    [Fact]
    public void Check_GroupSubject_MatchesPrincipalGroups()
    {
        var policy = new AccessPolicy(
            [new AccessRole(null, "reader", [ReadSecrets])],
            [Binding(null, "managers", AccessKinds.ClusterRole, "reader", new AccessSubject(AccessKinds.Group, "manager", null))]);

        Assert.True(policy.Check(new Principal("bob", ["staff", "manager"], []), Get("team-a", "db")).Allowed);
        Assert.False(policy.Check(new Principal("manager", ["staff"], []), Get("team-a", "db")).Allowed);
    }

    [Fact]
    public void Check_ServiceAccountSubject_MatchesServiceAccountUserName()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets])],
            [Binding("team-a", "app", AccessKinds.Role, "reader", new AccessSubject(AccessKinds.ServiceAccount, "app", "team-a"))]);

        Assert.True(policy.Check(new Principal("system:serviceaccount:team-a:app", [], []), Get("team-a", "db")).Allowed);
        Assert.False(policy.Check(new Principal("system:serviceaccount:team-b:app", [], []), Get("team-a", "db")).Allowed);
        Assert.False(policy.Check(new Principal("app", [], []), Get("team-a", "db")).Allowed);
    }

    [Fact]
    public void Check_TokenRoles_GrantRoleInItsNamespaceAndClusterRoleEverywhere()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets]), new AccessRole(null, "viewer", [Rule(["list"], ["namespaces"])])],
            []);
        var token = new Principal("ci", [], [new BoundRole("team-a", "reader"), new BoundRole(null, "viewer")]);

        Assert.Equal("token role Role/team-a/reader", policy.Check(token, Get("team-a", "db")).Reason);
        Assert.False(policy.Check(token, Get("team-b", "db")).Allowed);
        var clusterScoped = policy.Check(token, new AccessAttributes("list", "namespaces", null, null));
        Assert.True(clusterScoped.Allowed);
        Assert.Equal("token role ClusterRole/viewer", clusterScoped.Reason);
    }

    [Fact]
    public void Check_Root_AllowsEverything()
    {
        var verdict = AccessPolicy.Empty.Check(new Principal("root", [], [], IsRoot: true), new AccessAttributes("destroy", "secrets", "x", "y"));

        Assert.True(verdict.Allowed);
        Assert.Equal("root", verdict.Reason);
    }

    [Fact]
    public void Check_MissingRole_GrantsNothing()
    {
        var policy = new AccessPolicy([], [Binding("team-a", "read", AccessKinds.Role, "absent", User("jane")), Binding(null, "all", AccessKinds.ClusterRole, "absent", User("jane"))]);
        var token = new Principal("jane", [], [new BoundRole(null, "absent"), new BoundRole("team-a", "absent")]);

        var verdict = policy.Check(token, Get("team-a", "db"));
        Assert.False(verdict.Allowed);
        Assert.StartsWith("no rule allows get secrets", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Denied_ReasonNamesRequest()
    {
        var verdict = AccessPolicy.Empty.Check(Jane(), new AccessAttributes("list", "secrets", "team-a", null));

        Assert.Equal("no rule allows list secrets in namespace team-a", verdict.Reason);
    }

    [Fact]
    public void WhoCan_ReturnsOneGrantPerSubjectPerBinding()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets]), new AccessRole(null, "admin", [Rule(["*"], ["*"])]), new AccessRole("team-b", "reader", [ReadSecrets])],
            [
                Binding("team-a", "read", AccessKinds.Role, "reader", User("jane"), User("jane"), new AccessSubject(AccessKinds.Group, "devs", null)),
                Binding(null, "admins", AccessKinds.ClusterRole, "admin", User("root-ish")),
                Binding("team-b", "read", AccessKinds.Role, "reader", User("bob")),
            ]);

        var grants = policy.WhoCan(Get("team-a", "db"));

        Assert.Equal(3, grants.Count);
        Assert.Contains(new AccessGrant(User("jane"), AccessKinds.RoleBinding, "team-a", "read", AccessKinds.Role, "reader"), grants);
        Assert.Contains(new AccessGrant(new AccessSubject(AccessKinds.Group, "devs", null), AccessKinds.RoleBinding, "team-a", "read", AccessKinds.Role, "reader"), grants);
        Assert.Contains(new AccessGrant(User("root-ish"), AccessKinds.ClusterRoleBinding, null, "admins", AccessKinds.ClusterRole, "admin"), grants);
        Assert.Single(policy.WhoCan(new AccessAttributes("list", "namespaces", null, null)));
    }

    [Fact]
    public void RulesFor_CollectsBindingAndTokenRulesForTheScope()
    {
        var clusterRule = Rule(["list"], ["namespaces"]);
        var tokenRule = Rule(["get"], ["tokens"]);
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [ReadSecrets]), new AccessRole(null, "viewer", [clusterRule]), new AccessRole("team-a", "tokens", [tokenRule])],
            [Binding("team-a", "read", AccessKinds.Role, "reader", User("jane")), Binding(null, "view", AccessKinds.ClusterRole, "viewer", User("jane"))]);
        var principal = new Principal("jane", [], [new BoundRole("team-a", "tokens")]);

        Assert.Equal([clusterRule, ReadSecrets, tokenRule], policy.RulesFor(principal, "team-a"));
        Assert.Equal([clusterRule], policy.RulesFor(principal, "team-b"));
        Assert.Equal([clusterRule], policy.RulesFor(principal, null));
        Assert.Empty(policy.RulesFor(new Principal("bob", [], []), "team-a"));
    }

    [Fact]
    public void MaySeeNamespace_PrincipalBoundOnlyInTeamA_CannotSeeTeamB()
    {
        var policy = new AccessPolicy([new AccessRole("team-a", "reader", [ReadSecrets])], [Binding("team-a", "read", AccessKinds.Role, "reader", User("jane"))]);

        Assert.True(policy.MaySeeNamespace(Jane(), "team-a"));
        Assert.False(policy.MaySeeNamespace(Jane(), "team-b"));
        Assert.True(policy.MaySeeNamespace(new Principal("root", [], [], IsRoot: true), "team-b"));
    }

    [Fact]
    public void MaySeeNamespace_ClusterRoleBindingOrTokenRole_SeesNamespace()
    {
        var policy = new AccessPolicy(
            [new AccessRole(null, "viewer", [ReadSecrets]), new AccessRole("team-b", "reader", [ReadSecrets])],
            [Binding(null, "view", AccessKinds.ClusterRole, "viewer", new AccessSubject(AccessKinds.Group, "viewers", null))]);

        Assert.True(policy.MaySeeNamespace(new Principal("bob", ["viewers"], []), "anything"));
        Assert.True(policy.MaySeeNamespace(new Principal("ci", [], [new BoundRole("team-b", "reader")]), "team-b"));
        Assert.False(policy.MaySeeNamespace(new Principal("ci", [], [new BoundRole("team-b", "reader")]), "team-c"));
    }

    private static PolicyRule Rule(string[] verbs, string[] resources, string[]? names = null) => new([""], resources, verbs, names ?? []);

    private static AccessSubject User(string name) => new(AccessKinds.User, name, null);

    private static Principal Jane() => new("jane", [], []);

    private static AccessAttributes Get(string ns, string name) => new("get", "secrets", ns, name);

    private static AccessBinding Binding(string? ns, string name, string roleKind, string roleName, params AccessSubject[] subjects) =>
        new(ns, name, new RoleRef(roleKind, roleName), subjects);

    private static AccessPolicy Single(PolicyRule rule) =>
        new([new AccessRole("team-a", "r", [rule])], [Binding("team-a", "b", AccessKinds.Role, "r", User("jane"))]);
}
