using Coffer.Core.Access;

namespace Coffer.Core.Tests.Access;

public sealed class AccessReviewTests
{
    private static readonly string[] Known = ["jane", "system:serviceaccount:team-a:app"];

    [Fact]
    public void Find_NarrowPolicy_FindsNothing()
    {
        var policy = new AccessPolicy(
            [new AccessRole("team-a", "reader", [Rule(["get"], ["secrets"], ["db"])])],
            [
                Binding("team-a", "read", AccessKinds.Role, "reader", User("jane")),
                Binding("team-a", "app", AccessKinds.Role, "reader", new AccessSubject(AccessKinds.ServiceAccount, "app", "team-a")),
            ]);

        Assert.Empty(AccessReview.Find(policy, Known, [new ReviewedToken("a1", "ci", "jane", false, DateTimeOffset.UnixEpoch)]));
    }

    [Fact]
    public void Find_WildcardVerbAndResource_ReportsBoth()
    {
        var findings = FindFor(new AccessRole(null, "admin", [Rule(["*"], ["*"], ["x"])]));

        Assert.Contains(findings, f => f is { Code: AccessReview.WildcardVerb, Severity: AccessSeverity.High, Object: "ClusterRole admin" });
        Assert.Contains(findings, f => f is { Code: AccessReview.WildcardResource, Severity: AccessSeverity.High, Object: "ClusterRole admin" });
        Assert.DoesNotContain(findings, f => f.Code == AccessReview.BroadSecretRead);
    }

    [Fact]
    public void Find_SpecificVerbsAndResources_ReportsNoWildcard()
    {
        var findings = FindFor(new AccessRole("team-a", "x", [Rule(["get", "delete"], ["secrets", "*/versions"])]));

        Assert.DoesNotContain(findings, f => f.Code is AccessReview.WildcardVerb or AccessReview.WildcardResource);
    }

    [Theory]
    [InlineData("list", "secrets", true)]
    [InlineData("watch", "secrets", true)]
    [InlineData("*", "secrets", true)]
    [InlineData("list", "*", true)]
    [InlineData("get", "secrets", false)]
    [InlineData("list", "tokens", false)]
    [InlineData("list", "secrets/versions", false)]
    public void Find_ListOnSecrets_ReportsBroadSecretRead(string verb, string resource, bool expected)
    {
        var findings = FindFor(new AccessRole("team-a", "x", [Rule([verb], [resource])]));

        Assert.Equal(expected, findings.Any(f => f is { Code: AccessReview.BroadSecretRead, Severity: AccessSeverity.High, Object: "Role team-a/x" }));
    }

    [Fact]
    public void Find_ListWithResourceNames_NoBroadSecretRead()
    {
        var findings = FindFor(new AccessRole("team-a", "x", [Rule(["list", "get"], ["secrets"], ["db"])]));

        Assert.DoesNotContain(findings, f => f.Code == AccessReview.BroadSecretRead);
    }

    [Fact]
    public void Find_BroadSecretReadThroughClusterRoleBinding_IsCritical()
    {
        var role = new AccessRole(null, "lister", [Rule(["list"], ["secrets"])]);
        var inNamespace = AccessReview.Find(new AccessPolicy([role], [Binding("team-a", "b", AccessKinds.ClusterRole, "lister", User("jane"))]), Known, []);
        var clusterWide = AccessReview.Find(new AccessPolicy([role], [Binding(null, "b", AccessKinds.ClusterRole, "lister", User("jane"))]), Known, []);

        Assert.Equal(AccessSeverity.High, Assert.Single(inNamespace, f => f.Code == AccessReview.BroadSecretRead).Severity);
        var critical = Assert.Single(clusterWide, f => f.Code == AccessReview.BroadSecretRead);
        Assert.Equal(AccessSeverity.Critical, critical.Severity);
        Assert.Equal("name the secrets in resourceNames and grant get instead of list", critical.Fix);
    }

    [Fact]
    public void Find_DefaultServiceAccount_ReportsMedium()
    {
        var findings = FindBindings(new AccessSubject(AccessKinds.ServiceAccount, "default", "team-a"));
        var other = FindBindings(new AccessSubject(AccessKinds.ServiceAccount, "app", "team-a"));

        Assert.Equal(AccessSeverity.Medium, Assert.Single(findings, f => f.Code == AccessReview.DefaultServiceAccountBinding).Severity);
        Assert.DoesNotContain(other, f => f.Code == AccessReview.DefaultServiceAccountBinding);
    }

    [Theory]
    [InlineData("system:authenticated", AccessSeverity.High)]
    [InlineData("system:serviceaccounts", AccessSeverity.High)]
    [InlineData("system:unauthenticated", AccessSeverity.Critical)]
    public void Find_BroadGroup_ReportsBroadGroupBinding(string group, AccessSeverity severity)
    {
        var findings = FindBindings(new AccessSubject(AccessKinds.Group, group, null));

        var finding = Assert.Single(findings, f => f.Code == AccessReview.BroadGroupBinding);
        Assert.Equal(severity, finding.Severity);
        Assert.Equal("RoleBinding team-a/b", finding.Object);
    }

    [Fact]
    public void Find_NarrowGroup_NoBroadGroupBinding()
    {
        Assert.DoesNotContain(FindBindings(new AccessSubject(AccessKinds.Group, "devs", null)), f => f.Code == AccessReview.BroadGroupBinding);
    }

    [Fact]
    public void Find_UnknownUserOrServiceAccount_ReportsUnknownSubject()
    {
        Assert.Contains(FindBindings(User("mallory")), f => f is { Code: AccessReview.UnknownSubject, Severity: AccessSeverity.Low });
        Assert.Contains(FindBindings(new AccessSubject(AccessKinds.ServiceAccount, "app", "team-b")), f => f.Code == AccessReview.UnknownSubject);
        Assert.DoesNotContain(FindBindings(User("jane")), f => f.Code == AccessReview.UnknownSubject);
        Assert.DoesNotContain(FindBindings(new AccessSubject(AccessKinds.ServiceAccount, "app", "team-a")), f => f.Code == AccessReview.UnknownSubject);
        Assert.DoesNotContain(FindBindings(new AccessSubject(AccessKinds.Group, "nobody-knows", null)), f => f.Code == AccessReview.UnknownSubject);
    }

    [Fact]
    public void Find_UnreferencedRoles_ReportsUnusedRole()
    {
        var policy = new AccessPolicy(
            [
                new AccessRole("team-a", "used", [Rule(["get"], ["secrets"], ["db"])]),
                new AccessRole("team-b", "used", [Rule(["get"], ["secrets"], ["db"])]),
                new AccessRole(null, "shared", [Rule(["get"], ["secrets"], ["db"])]),
                new AccessRole(null, "orphan", []),
            ],
            [Binding("team-a", "a", AccessKinds.Role, "used", User("jane")), Binding("team-c", "c", AccessKinds.ClusterRole, "shared", User("jane"))]);

        var unused = AccessReview.Find(policy, Known, []).Where(f => f.Code == AccessReview.UnusedRole).Select(f => f.Object).ToList();

        Assert.Equal(["ClusterRole orphan", "Role team-b/used"], unused);
    }

    [Fact]
    public void Find_TokenWithoutExpiry_MediumOrHighForRoot()
    {
        var findings = AccessReview.Find(
            AccessPolicy.Empty,
            Known,
            [
                new ReviewedToken("a1", "ci", "jane", false, null),
                new ReviewedToken("r1", "bootstrap", "root", true, null),
                new ReviewedToken("a2", "short", "jane", false, DateTimeOffset.UnixEpoch),
            ]);

        Assert.Equal(2, findings.Count);
        Assert.Equal(new AccessFinding(AccessSeverity.High, AccessReview.TokenWithoutExpiry, "token r1 (bootstrap)", findings[0].Message, findings[0].Fix), findings[0]);
        Assert.Equal(AccessSeverity.Medium, findings[1].Severity);
        Assert.Equal("token a1 (ci)", findings[1].Object);
    }

    [Fact]
    public void Find_ManyFindings_OrderedBySeverityThenObject()
    {
        var policy = new AccessPolicy(
            [new AccessRole(null, "z-admin", [Rule(["*"], ["secrets"])]), new AccessRole(null, "a-lister", [Rule(["list"], ["secrets"])])],
            [
                Binding(null, "all", AccessKinds.ClusterRole, "a-lister", new AccessSubject(AccessKinds.Group, "system:unauthenticated", null)),
                Binding(null, "admins", AccessKinds.ClusterRole, "z-admin", User("mallory")),
            ]);

        var findings = AccessReview.Find(policy, Known, []);

        Assert.Equal(findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Object, StringComparer.Ordinal).ThenBy(f => f.Code, StringComparer.Ordinal), findings);
        Assert.Equal(AccessSeverity.Critical, findings[0].Severity);
        Assert.Equal(AccessSeverity.Low, findings[^1].Severity);
    }

    private static IReadOnlyList<AccessFinding> FindFor(AccessRole role) =>
        AccessReview.Find(new AccessPolicy([role], [Binding(role.Namespace ?? "team-a", "b", role.Kind, role.Name, User("jane"))]), Known, []);

    private static IReadOnlyList<AccessFinding> FindBindings(AccessSubject subject) =>
        AccessReview.Find(
            new AccessPolicy([new AccessRole("team-a", "r", [Rule(["get"], ["secrets"], ["db"])])], [Binding("team-a", "b", AccessKinds.Role, "r", subject)]),
            Known,
            []);

    private static PolicyRule Rule(string[] verbs, string[] resources, string[]? names = null) => new([""], resources, verbs, names ?? []);

    private static AccessSubject User(string name) => new(AccessKinds.User, name, null);

    private static AccessBinding Binding(string? ns, string name, string roleKind, string roleName, params AccessSubject[] subjects) =>
        new(ns, name, new RoleRef(roleKind, roleName), subjects);
}
