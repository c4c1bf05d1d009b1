using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Server.Access;

namespace Coffer.Server.Tests.Access;

public sealed class AccessManifestTests
{
    // The Kubernetes RBAC documentation's examples, with pods read as secrets.
    private const string DocumentationExamples = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          namespace: default
          name: pod-reader
        rules:
        - apiGroups: [""] # "" indicates the core API group
          resources: ["secrets"]
          verbs: ["get", "watch", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          # "namespace" omitted since ClusterRoles are not namespaced
          name: secret-reader
        rules:
        - apiGroups: [""]
          #
          # at the HTTP level, the name of the resource for accessing Secret
          # objects is "secrets"
          resources: ["secrets"]
          verbs: ["get", "watch", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        # This role binding allows "jane" to read pods in the "default" namespace.
        # You need to already have a Role named "pod-reader" in that namespace.
        kind: RoleBinding
        metadata:
          name: read-pods
          namespace: default
        subjects:
        # You can specify more than one "subject"
        - kind: User
          name: jane # "name" is case sensitive
          apiGroup: rbac.authorization.k8s.io
        roleRef:
          # "roleRef" specifies the binding to a Role / ClusterRole
          kind: Role #this must be Role or ClusterRole
          name: pod-reader # this must match the name of the Role or ClusterRole you wish to bind to
          apiGroup: rbac.authorization.k8s.io
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        # This cluster role binding allows anyone in the "manager" group to read secrets in any namespace.
        kind: ClusterRoleBinding
        metadata:
          name: read-secrets-global
        subjects:
        - kind: Group
          name: manager # Name is case sensitive
          apiGroup: rbac.authorization.k8s.io
        roleRef:
          kind: ClusterRole
          name: secret-reader
          apiGroup: rbac.authorization.k8s.io
        """;

    private const string GoodRole = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          namespace: team-a
          name: reader
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          verbs: ["get"]
        """;

    [Fact]
    public void Parse_DocumentationExamples_ReadsRolesAndBindings()
    {
        var manifest = AccessManifest.Parse(DocumentationExamples);

        Assert.Equal(2, manifest.Roles.Count);
        var podReader = manifest.Roles[0];
        Assert.Equal(("default", "pod-reader"), (podReader.Namespace, podReader.Name));
        var rule = Assert.Single(podReader.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["secrets"], rule.Resources);
        Assert.Equal(["get", "watch", "list"], rule.Verbs);
        Assert.Empty(rule.ResourceNames);
        Assert.Equal((null, "secret-reader"), (manifest.Roles[1].Namespace, manifest.Roles[1].Name));

        Assert.Equal(2, manifest.Bindings.Count);
        var readPods = manifest.Bindings[0];
        Assert.Equal(("default", "read-pods", new RoleRef(AccessKinds.Role, "pod-reader")), (readPods.Namespace, readPods.Name, readPods.RoleRef));
        Assert.Equal([new AccessSubject(AccessKinds.User, "jane", null)], readPods.Subjects);
        var global = manifest.Bindings[1];
        Assert.Equal((null, "read-secrets-global", new RoleRef(AccessKinds.ClusterRole, "secret-reader")), (global.Namespace, global.Name, global.RoleRef));
        Assert.Equal([new AccessSubject(AccessKinds.Group, "manager", null)], global.Subjects);

        var policy = new AccessPolicy(manifest.Roles, manifest.Bindings);
        Assert.True(policy.Check(new Principal("jane", [], []), new AccessAttributes("list", "secrets", "default", null)).Allowed);
        Assert.True(policy.Check(new Principal("bob", ["manager"], []), new AccessAttributes("get", "secrets", "team-b", "db")).Allowed);
    }

    [Fact]
    public void Parse_ResourceNamesServiceAccountAndEmptyDocuments_Reads()
    {
        var manifest = AccessManifest.Parse("""
            ---
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              namespace: default
              name: secret-reader
              labels: {team: a}
              annotations: {note: "why"}
            rules:
            - apiGroups: [""]
              resources: ["secrets", "secrets/versions"]
              resourceNames: ["database-credentials", "api-keys"]
              verbs: ["get"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: app, namespace: default}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:viewer"}
            subjects:
            - {kind: ServiceAccount, name: app, namespace: team-a, apiGroup: ""}
            - {kind: ServiceAccount, name: ci, namespace: team-b}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: empty}
            rules: []
            """);

        Assert.Equal(["database-credentials", "api-keys"], manifest.Roles[0].Rules[0].ResourceNames);
        Assert.Empty(manifest.Roles[1].Rules);
        var binding = Assert.Single(manifest.Bindings);
        Assert.Equal(new RoleRef(AccessKinds.ClusterRole, "system:viewer"), binding.RoleRef);
        Assert.Equal(
            [new AccessSubject(AccessKinds.ServiceAccount, "app", "team-a"), new AccessSubject(AccessKinds.ServiceAccount, "ci", "team-b")],
            binding.Subjects);
    }

    [Fact]
    public void Parse_EmptyInput_ReturnsNothing()
    {
        var manifest = AccessManifest.Parse("");

        Assert.Empty(manifest.Roles);
        Assert.Empty(manifest.Bindings);
    }

    public static TheoryData<string, string, string> BadDocuments() => new()
    {
        // yaml, expected start of message, expected field
        { GoodRole.Replace("rbac.authorization.k8s.io/v1", "v1", StringComparison.Ordinal), "document 1 (Role team-a/reader): apiVersion", "documents[0].apiVersion" },
        { GoodRole.Replace("kind: Role", "kind: Pod", StringComparison.Ordinal), "document 1: kind", "documents[0].kind" },
        { GoodRole.Replace("kind: Role\n", "", StringComparison.Ordinal), "document 1: kind is required", "documents[0].kind" },
        { GoodRole.Replace("  name: reader\n", "", StringComparison.Ordinal), "document 1 (Role team-a/): metadata.name is required", "documents[0].metadata.name" },
        { GoodRole.Replace("name: reader", "name: a/b", StringComparison.Ordinal), "document 1 (Role team-a/a/b): metadata.name", "documents[0].metadata.name" },
        { GoodRole.Replace("name: reader", "name: '..'", StringComparison.Ordinal), "document 1 (Role team-a/..): metadata.name", "documents[0].metadata.name" },
        { GoodRole.Replace("name: reader", "name: a%2f", StringComparison.Ordinal), "document 1 (Role team-a/a%2f): metadata.name", "documents[0].metadata.name" },
        { GoodRole.Replace("name: reader", "name: " + new string('a', 254), StringComparison.Ordinal), "document 1 (Role team-a/", "documents[0].metadata.name" },
        { GoodRole.Replace("  namespace: team-a\n", "", StringComparison.Ordinal), "document 1 (Role reader): metadata.namespace is required", "documents[0].metadata.namespace" },
        { GoodRole.Replace("namespace: team-a", "namespace: Team_A", StringComparison.Ordinal), "document 1 (Role Team_A/reader): metadata.namespace", "documents[0].metadata.namespace" },
        { GoodRole.Replace("kind: Role", "kind: ClusterRole", StringComparison.Ordinal), "document 1 (ClusterRole reader): metadata.namespace must not be set", "documents[0].metadata.namespace" },
        { GoodRole.Replace("  name: reader", "  name: reader\n  uid: x", StringComparison.Ordinal), "document 1 (Role team-a/reader): metadata.uid is not a known field", "documents[0].metadata.uid" },
        { GoodRole + "\nstatus: {}", "document 1 (Role team-a/reader): status is not a known field", "documents[0].status" },
        { GoodRole.Replace("verbs: [\"get\"]", "verbs: [\"get\", \"fly\"]", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].verbs[1] is not a supported verb", "documents[0].rules[0].verbs[1]" },
        { GoodRole.Replace("verbs: [\"get\"]", "verbs: []", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].verbs must not be empty", "documents[0].rules[0].verbs" },
        { GoodRole.Replace("\n  verbs: [\"get\"]", "", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].verbs is required", "documents[0].rules[0].verbs" },
        { GoodRole.Replace("verbs: [\"get\"]", "verbs: get", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].verbs must be a list", "documents[0].rules[0].verbs" },
        { GoodRole.Replace("resources: [\"secrets\"]", "resources: [\"pods\"]", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].resources[0] is not a supported resource", "documents[0].rules[0].resources[0]" },
        { GoodRole.Replace("resources: [\"secrets\"]", "resources: []", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].resources must not be empty", "documents[0].rules[0].resources" },
        { GoodRole.Replace("apiGroups: [\"\"]", "apiGroups: [\"apps\"]", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].apiGroups[0]", "documents[0].rules[0].apiGroups[0]" },
        { GoodRole.Replace("  verbs: [\"get\"]", "  verbs: [\"get\"]\n  nonResourceURLs: [\"/x\"]", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].nonResourceURLs is not a known field", "documents[0].rules[0].nonResourceURLs" },
        { GoodRole.Replace("verbs: [\"get\"]", "verbs: [[\"get\"]]", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules[0].verbs[0] must be a string", "documents[0].rules[0].verbs[0]" },
        { GoodRole.Replace("rules:\n- apiGroups", "rules:\n  apiGroups", StringComparison.Ordinal), "document 1 (Role team-a/reader): rules must be a list", "documents[0].rules" },
        { GoodRole.Replace("metadata:\n  namespace: team-a\n  name: reader", "metadata: reader", StringComparison.Ordinal), "document 1 (Role): metadata must be a mapping", "documents[0].metadata" },
        { "just a string", "document 1: must be a mapping", "documents[0]" },
        { "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\naggregationRule: {clusterRoleSelectors: []}", "document 1 (ClusterRole agg): aggregationRule is not supported", "documents[0].aggregationRule" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane}").Replace("kind: RoleBinding", "kind: ClusterRoleBinding", StringComparison.Ordinal).Replace("  namespace: team-a\n", "", StringComparison.Ordinal), "document 1 (ClusterRoleBinding read): roleRef.kind must be ClusterRole", "documents[0].roleRef.kind" },
        { Binding("kind: Secret", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane}"), "document 1 (RoleBinding team-a/read): roleRef.kind", "documents[0].roleRef.kind" },
        { Binding("kind: Role", "apiGroup: v1", "- {kind: User, name: jane}"), "document 1 (RoleBinding team-a/read): roleRef.apiGroup", "documents[0].roleRef.apiGroup" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: Robot, name: r2}"), "document 1 (RoleBinding team-a/read): subjects[0].kind", "documents[0].subjects[0].kind" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: ServiceAccount, name: app}"), "document 1 (RoleBinding team-a/read): subjects[0].namespace is required", "documents[0].subjects[0].namespace" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane, namespace: team-a}"), "document 1 (RoleBinding team-a/read): subjects[0].namespace must not be set", "documents[0].subjects[0].namespace" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane}\n- {kind: Group, name: devs, apiGroup: v1}"), "document 1 (RoleBinding team-a/read): subjects[1].apiGroup", "documents[0].subjects[1].apiGroup" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: ServiceAccount, name: app, namespace: t, apiGroup: rbac.authorization.k8s.io}"), "document 1 (RoleBinding team-a/read): subjects[0].apiGroup", "documents[0].subjects[0].apiGroup" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane, uid: x}"), "document 1 (RoleBinding team-a/read): subjects[0].uid is not a known field", "documents[0].subjects[0].uid" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "- {kind: User, name: jane}") + "\nrules: []", "document 1 (RoleBinding team-a/read): rules is not a known field", "documents[0].rules" },
        { Binding("kind: Role", "apiGroup: rbac.authorization.k8s.io", "  kind: User"), "document 1 (RoleBinding team-a/read): subjects must be a list", "documents[0].subjects" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Parse_BadDocument_ThrowsNamingDocumentAndField(string yaml, string messageStart, string field)
    {
        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Equal("InvalidManifest", error.Reason);
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Parse_SecondDocumentBad_ThrowsForWholeFile()
    {
        var yaml = GoodRole + "\n---\n" + GoodRole.Replace("name: reader", "name: writer", StringComparison.Ordinal).Replace("verbs: [\"get\"]", "verbs: [\"get\", \"fly\"]", StringComparison.Ordinal);

        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.StartsWith("document 2 (Role team-a/writer): rules[0].verbs[1]", error.Message, StringComparison.Ordinal);
        Assert.Equal("documents[1].rules[0].verbs[1]", error.Field);
    }

    [Fact]
    public void Parse_SameObjectTwice_Throws()
    {
        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(GoodRole + "\n---\n" + GoodRole));

        Assert.StartsWith("document 2 (Role team-a/reader): metadata.name repeats document 1", error.Message, StringComparison.Ordinal);
        Assert.Equal("documents[1].metadata.name", error.Field);
    }

    [Fact]
    public void Parse_SameNameDifferentKindOrNamespace_Reads()
    {
        var manifest = AccessManifest.Parse(GoodRole + "\n---\n" + GoodRole.Replace("team-a", "team-b", StringComparison.Ordinal));

        Assert.Equal(2, manifest.Roles.Count);
    }

    [Fact]
    public void Parse_TooLarge_Throws()
    {
        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(GoodRole + "\n#" + new string('x', AccessManifest.MaxBytes)));

        Assert.Equal("InvalidManifest", error.Reason);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooManyDocuments_Throws()
    {
        var yaml = string.Concat(Enumerable.Repeat("---\n{}\n", 1001));

        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.Contains("more than 1000 documents", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughs_RejectsAnchors()
    {
        var yaml = """
            a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            """;

        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.StartsWith("document 1: YAML anchors", error.Message, StringComparison.Ordinal);
        Assert.Equal("documents[0]", error.Field);
    }

    [Fact]
    public void Parse_Alias_Rejected()
    {
        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(GoodRole + "\n---\n" + "metadata: *x\n"));

        Assert.Equal("InvalidManifest", error.Reason);
        Assert.Equal("documents[1]", error.Field);
    }

    [Fact]
    public void Parse_DeeplyNested_Rejected()
    {
        var yaml = new string('[', 5000) + new string(']', 5000);

        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedYaml_NamesLineWithoutText()
    {
        var yaml = GoodRole + "\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: \"hunter2-secret-ish\n";

        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.Equal("InvalidManifest", error.Reason);
        Assert.StartsWith("document 2: the YAML is malformed at line", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Equal("documents[1]", error.Field);
    }

    [Theory]
    [InlineData("a: [1, 2")]
    [InlineData("a: b: c")]
    [InlineData("\t- x\n  y: :")]
    [InlineData("a: 1\na: 2")]
    [InlineData("? [a]\n: b")]
    [InlineData("%YAML 1.1\n%YAML 1.1\n---\na: 1")]
    [InlineData("!!binary a: b")]
    public void Parse_HostileOrOddYaml_ThrowsCofferException(string yaml)
    {
        var error = Assert.Throws<CofferException>(() => AccessManifest.Parse(yaml));

        Assert.Equal("InvalidManifest", error.Reason);
        Assert.StartsWith("document ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EveryTruncationAndCorruption_ThrowsOnlyCofferException()
    {
        // Cutting the examples anywhere, or swapping in YAML's special characters, must never leak a parser exception.
        var corruptions = new[] { '[', ']', '{', '}', ':', '-', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '?', ',', '\t', '\n' };
        for (var i = 0; i < DocumentationExamples.Length; i += 11)
        {
            AssertOnlyCofferException(DocumentationExamples[..i]);
            foreach (var corruption in corruptions)
            {
                AssertOnlyCofferException(string.Concat(DocumentationExamples.AsSpan(0, i), [corruption], DocumentationExamples.AsSpan(i + 1)));
            }
        }
    }

    private static void AssertOnlyCofferException(string yaml)
    {
        try
        {
            AccessManifest.Parse(yaml);
        }
        catch (CofferException error)
        {
            Assert.Equal("InvalidManifest", error.Reason);
        }
    }

    private static string Binding(string roleKind, string roleApiGroup, string subjects) => $"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          namespace: team-a
          name: read
        roleRef:
          {roleApiGroup}
          {roleKind}
          name: reader
        subjects:
        {subjects}
        """;
}
