using System.Text;
using Coffer.Kubernetes.Operator;
using k8s.Models;

namespace Coffer.Kubernetes.Tests.Operator;

/// <summary>The pure part of the operator: desired Secret, templates, policies and drift, with no API at all.</summary>
public sealed class SecretProjectionTests
{
    private static readonly CofferSecretData Source = new("team-a", "db", 4, "Opaque", new Dictionary<string, byte[]>
    {
        ["username"] = "app"u8.ToArray(),
        ["password"] = "pw"u8.ToArray(),
    });

    private static CofferSecretResource Resource(CofferSecretTarget? target = null, IReadOnlyList<string>? keys = null, string? role = null, string ns = "team-a") =>
        new(CofferSecretNames.ApiVersion, CofferSecretNames.Kind, new V1ObjectMeta { Name = "db", NamespaceProperty = ns, Uid = "uid-1" }, new CofferSecretSpec(new CofferSecretSource(null, "db", keys), role, target), null);

    private static CofferSecretTarget Target(IReadOnlyDictionary<string, string>? template = null, string? creation = null) =>
        new("target", "kubernetes.io/basic-auth", new Dictionary<string, string> { ["tier"] = "db" }, new Dictionary<string, string> { ["note"] = "x" }, template, creation, null);

    [Fact]
    public void Data_Template_AssemblesAConnectionString()
    {
        var data = SecretProjection.Data(Resource(Target(new Dictionary<string, string> { ["dsn"] = "Host=db;Username={{ .username }};Password={{password}}" })), Source);

        Assert.Equal("Host=db;Username=app;Password=pw", Encoding.UTF8.GetString(data["dsn"]));
        Assert.Single(data);
    }

    [Theory]
    [InlineData("{{ .missing }}", "TemplateKeyNotFound")]
    [InlineData("{{ .username", "InvalidTemplate")]
    [InlineData("{{ username | upper }}", "InvalidTemplate")]
    public void Data_BadTemplate_FailsWithReasonAndNoValue(string template, string reason)
    {
        var failure = Assert.Throws<ProjectionFailure>(() => SecretProjection.Data(Resource(Target(new Dictionary<string, string> { ["t"] = template })), Source));

        Assert.Equal(reason, failure.Reason);
        Assert.DoesNotContain("pw", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_SelectedKeys_OnlyThose_MissingKeyFails()
    {
        Assert.Equal(["password"], SecretProjection.Data(Resource(keys: ["password"]), Source).Keys);
        Assert.Equal("KeyNotFound", Assert.Throws<ProjectionFailure>(() => SecretProjection.Data(Resource(keys: ["nope"]), Source)).Reason);
    }

    [Fact]
    public void Data_HugeTemplate_Refused()
    {
        var huge = new string('x', SecretProjection.MaxTemplateBytes + 1);
        Assert.Equal("InvalidTemplate", Assert.Throws<ProjectionFailure>(() => SecretProjection.Data(Resource(Target(new Dictionary<string, string> { ["t"] = huge })), Source)).Reason);
    }

    [Theory]
    [InlineData("team-a", null, "team-a")]
    [InlineData("team-a", "team-a-readonly", "team-a-readonly")]
    public void Role_OwnNamespaceRoles_Allowed(string ns, string? role, string expected) =>
        Assert.Equal(expected, SecretProjection.Role(Resource(role: role, ns: ns)));

    [Theory]
    [InlineData("team-b", "team-a")]
    [InlineData("team-a", "team-ab")]
    [InlineData("team-a", "admin")]
    public void Role_OtherNamespacesRoles_Refused(string ns, string role) =>
        Assert.Equal("RoleNotAllowed", Assert.Throws<ProjectionFailure>(() => SecretProjection.Role(Resource(role: role, ns: ns))).Reason);

    [Fact]
    public void Desired_CarriesTypeLabelsAnnotationsOwnerAndPolicies()
    {
        var resource = Resource(Target());
        var desired = SecretProjection.Desired(resource, Source, "sha256:h", SecretProjection.Data(resource, Source));

        Assert.Equal("target", desired.Metadata.Name);
        Assert.Equal("kubernetes.io/basic-auth", desired.Type);
        Assert.Equal("db", desired.Metadata.Labels["tier"]);
        Assert.Equal("coffer", desired.Metadata.Labels[CofferSecretNames.ManagedByLabel]);
        Assert.Equal("team-a/db", desired.Metadata.Annotations[CofferSecretNames.OwnerAnnotation]);
        Assert.Equal("4", desired.Metadata.Annotations[CofferSecretNames.VersionAnnotation]);
        Assert.Equal("Delete", desired.Metadata.Annotations[CofferSecretNames.DeletionPolicyAnnotation]);
        Assert.Equal("uid-1", Assert.Single(desired.Metadata.OwnerReferences).Uid);
        Assert.Null(SecretProjection.Desired(Resource(Target(creation: "Orphan")), Source, "h", []).Metadata.OwnerReferences);
    }

    [Fact]
    public void Plan_SameContent_DoesNothing_EditedData_IsDrift_NewCofferData_IsNot()
    {
        var resource = Resource() with { Status = new CofferSecretStatus(null, 4, "sha256:h", null, 1) };
        var desired = SecretProjection.Desired(resource, Source, "sha256:h", SecretProjection.Data(resource, Source));
        var existing = Clone(desired);
        existing.Metadata.ResourceVersion = "7";

        Assert.Equal(SecretApplyAction.None, SecretApplyPlan.For(resource, desired, existing).Action);

        existing.Data["password"] = "edited"u8.ToArray();
        var restore = SecretApplyPlan.For(resource, Clone(desired), existing);
        Assert.Equal(SecretApplyAction.Replace, restore.Action);
        Assert.True(restore.Drift);
        Assert.Equal("7", restore.Write!.Metadata.ResourceVersion);

        var newer = SecretProjection.Desired(resource, Source with { Version = 5 }, "sha256:new", new Dictionary<string, byte[]> { ["password"] = "new"u8.ToArray() });
        var update = SecretApplyPlan.For(resource, newer, Clone(desired));
        Assert.Equal(SecretApplyAction.Replace, update.Action);
        Assert.False(update.Drift);

        var recreate = SecretApplyPlan.For(resource, Clone(desired), null);
        Assert.Equal(SecretApplyAction.Create, recreate.Action);
        Assert.True(recreate.Drift);
    }

    [Fact]
    public void Plan_ForeignOrOtherOwnersSecret_Refused_MergeNeedsATarget()
    {
        var resource = Resource();
        var desired = SecretProjection.Desired(resource, Source, "h", SecretProjection.Data(resource, Source));
        var foreign = new V1Secret { Metadata = new V1ObjectMeta { Name = "db", Annotations = new Dictionary<string, string>() }, Data = new Dictionary<string, byte[]>() };
        var otherOwner = new V1Secret { Metadata = new V1ObjectMeta { Name = "db", Annotations = new Dictionary<string, string> { [CofferSecretNames.OwnerAnnotation] = "team-a/other" } } };

        Assert.Equal("TargetExists", SecretApplyPlan.For(resource, desired, foreign).RefusalReason);
        Assert.Equal("TargetOwnedElsewhere", SecretApplyPlan.For(resource, desired, otherOwner).RefusalReason);
        Assert.Equal("TargetNotFound", SecretApplyPlan.For(Resource(Target(creation: "Merge")), desired, null).RefusalReason);
    }

    [Fact]
    public void Ready_TransitionTime_MovesOnlyWhenStatusFlips()
    {
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var first = new CofferSecretStatus(StatusConditions.WithReady(null, true, "Synced", "ok", t0), 1, "h", t0, 1);
        var again = StatusConditions.WithReady(first, true, "Synced", "ok v2", t0.AddMinutes(5));
        var flipped = StatusConditions.WithReady(first, false, "CofferRefused", "no", t0.AddMinutes(9));

        Assert.Equal(t0, Assert.Single(again).LastTransitionTime);
        Assert.Equal(t0.AddMinutes(9), Assert.Single(flipped).LastTransitionTime);
    }

    private static V1Secret Clone(V1Secret secret) => k8s.KubernetesJson.Deserialize<V1Secret>(k8s.KubernetesJson.Serialize(secret));
}
