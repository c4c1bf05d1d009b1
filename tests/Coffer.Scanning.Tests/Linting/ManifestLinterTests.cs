using Coffer.Scanning.Linting;

namespace Coffer.Scanning.Tests.Linting;

public sealed class ManifestLinterTests
{
    /// <summary>A Secret that meets every convention, in a namespace with a NetworkPolicy.</summary>
    private const string GoodSecret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: billing-db-v1
          namespace: prod
          labels: {app.kubernetes.io/owner: payments}
          annotations: {coffer.dev/rotation: 90d}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: prod}
        spec: {podSelector: {}}
        """;

    /// <summary>A Deployment that reads its Secret from a file, with its own service account and no token.</summary>
    private const string GoodDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: prod}
        spec:
          template:
            spec:
              serviceAccountName: web
              automountServiceAccountToken: false
              containers:
                - name: app
                  env:
                    - {name: LOG_LEVEL, value: debug}
                    - {name: DB_PASSWORD_FILE, value: /run/secrets/db/password}
                  volumeMounts: [{name: db, mountPath: /run/secrets/db}]
              volumes: [{name: db, secret: {secretName: billing-db-v1}}]
        """;

    private static IReadOnlyList<LintFinding> Lint(string yaml, LintOptions? options = null) =>
        new ManifestLinter(options ?? new LintOptions()).Lint("manifests.yaml", yaml);

    private static LintFinding AssertFinding(IReadOnlyList<LintFinding> findings, LintCheck check, string subject, string field)
    {
        var matching = findings.Where(f => f.Check == check).ToList();
        Assert.True(matching.Count > 0, $"no {check.Id} in: {string.Join("\n", findings.Select(f => $"{f.Check.Id} {f.Message}"))}");
        var finding = Assert.Single(matching, f => f.Message.StartsWith($"{subject}: {field}:", StringComparison.Ordinal));
        Assert.Equal("manifests.yaml", finding.Path);
        Assert.True(finding.Line > 0);
        return finding;
    }

    private static void AssertNone(IReadOnlyList<LintFinding> findings, LintCheck check) =>
        Assert.DoesNotContain(findings, f => f.Check == check);

    private static string Pod(string spec) => $"""
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: api, namespace: prod{"}"}
        spec:
        {spec}
        """;

    [Fact]
    public void Lint_CompliantManifests_NoFindings()
    {
        var findings = Lint(GoodSecret + "\n---\n" + GoodDeployment);

        Assert.Empty(findings);
    }

    [Fact]
    public void Lint_SecretKeyRefInEnv_EnvSecretRef()
    {
        var findings = Lint(Pod("""
              containers:
                - name: app
                  env:
                    - name: DB_PASSWORD
                      valueFrom: {secretKeyRef: {name: billing-db-v1, key: password}}
            """));

        var finding = AssertFinding(findings, LintChecks.EnvSecretRef, "Pod/api (namespace prod)", "spec.containers[0].env[0].valueFrom.secretKeyRef");
        Assert.Contains("DB_PASSWORD", finding.Message, StringComparison.Ordinal);
        Assert.Equal(9, finding.Line);
    }

    [Fact]
    public void Lint_EnvFromSecretRefInCronJob_EnvSecretRef()
    {
        var findings = Lint("""
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      initContainers:
                        - name: setup
                          envFrom: [{secretRef: {name: billing-db-v1}}]
            """);

        AssertFinding(findings, LintChecks.EnvSecretRef, "CronJob/nightly", "spec.jobTemplate.spec.template.spec.initContainers[0].envFrom[0].secretRef");
    }

    [Fact]
    public void Lint_SecretMountedAsFile_NoEnvSecretRef()
    {
        AssertNone(Lint(GoodDeployment), LintChecks.EnvSecretRef);
    }

    [Fact]
    public void Lint_LiteralPasswordInEnv_EnvLiteralSecretWithoutValue()
    {
        var findings = Lint(Pod("""
              containers:
                - name: app
                  env: [{name: API_TOKEN, value: q8Zr2LmX9vTp4KsW}]
            """));

        var finding = AssertFinding(findings, LintChecks.EnvLiteralSecret, "Pod/api (namespace prod)", "spec.containers[0].env[0].value");
        Assert.DoesNotContain("q8Zr2LmX9vTp4KsW", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PlaceholderOrReferenceInEnv_NoEnvLiteralSecret()
    {
        var findings = Lint(Pod("""
              containers:
                - name: app
                  env:
                    - {name: API_TOKEN, value: changeme}
                    - {name: DB_PASSWORD, value: $(FROM_FILE)}
                    - {name: LOG_LEVEL, value: q8Zr2LmX9vTp4KsW}
            """));

        AssertNone(findings, LintChecks.EnvLiteralSecret);
    }

    [Fact]
    public void Lint_ConfigMapWithPasswordKey_ConfigMapSecret()
    {
        var findings = Lint("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: prod}
            data:
              log_level: debug
              db_password: q8Zr2LmX9vTp4KsW
            """);

        var finding = AssertFinding(findings, LintChecks.ConfigMapSecret, "ConfigMap/settings (namespace prod)", "data.db_password");
        Assert.Equal(6, finding.Line);
        Assert.DoesNotContain("q8Zr2LmX9vTp4KsW", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ConfigMapWithSecretLookingValue_ConfigMapSecret()
    {
        var findings = Lint("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data:
              github: ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4
            """);

        AssertFinding(findings, LintChecks.ConfigMapSecret, "ConfigMap/settings", "data.github");
    }

    [Fact]
    public void Lint_ConfigMapWithPlainSettings_NoConfigMapSecret()
    {
        var findings = Lint("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {log_level: debug, password_file: /run/secrets/db/password, url: "https://billing.internal"}
            """);

        AssertNone(findings, LintChecks.ConfigMapSecret);
    }

    [Fact]
    public void Lint_PodWithoutServiceAccount_DefaultServiceAccountAndAutomount()
    {
        var findings = Lint(Pod("  containers: [{name: app, image: nginx}]"));

        AssertFinding(findings, LintChecks.PodDefaultServiceAccount, "Pod/api (namespace prod)", "spec.serviceAccountName");
        AssertFinding(findings, LintChecks.PodAutomountToken, "Pod/api (namespace prod)", "spec.automountServiceAccountToken");
    }

    [Fact]
    public void Lint_ExplicitDefaultServiceAccount_DefaultServiceAccount()
    {
        var findings = Lint(Pod("  serviceAccountName: default\n  automountServiceAccountToken: false\n  containers: [{name: app}]"));

        AssertFinding(findings, LintChecks.PodDefaultServiceAccount, "Pod/api (namespace prod)", "spec.serviceAccountName");
        AssertNone(findings, LintChecks.PodAutomountToken);
    }

    [Fact]
    public void Lint_OwnServiceAccountWithTokenOff_NoServiceAccountFindings()
    {
        var findings = Lint(GoodDeployment);

        AssertNone(findings, LintChecks.PodDefaultServiceAccount);
        AssertNone(findings, LintChecks.PodAutomountToken);
    }

    [Fact]
    public void Lint_ServiceAccountTurnsAutomountOff_NoAutomountFinding()
    {
        var findings = Lint(Pod("  serviceAccountName: api\n  containers: [{name: app}]") + """

            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: api, namespace: prod}
            automountServiceAccountToken: false
            """);

        AssertNone(findings, LintChecks.PodAutomountToken);
    }

    [Fact]
    public void Lint_ServiceAccountLeavesAutomountOn_AutomountFindingNamesAccount()
    {
        var findings = Lint(Pod("  serviceAccountName: api\n  containers: [{name: app}]") + """

            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: api, namespace: prod}
            """);

        var finding = AssertFinding(findings, LintChecks.PodAutomountToken, "Pod/api (namespace prod)", "spec.automountServiceAccountToken");
        Assert.Contains("service account api", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_RoleListsAllSecrets_RbacSecretRead()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            rules:
              - {apiGroups: [""], resources: [secrets], verbs: [list, watch]}
            """);

        var finding = AssertFinding(findings, LintChecks.RbacSecretRead, "ClusterRole/reader", "rules[0].resourceNames");
        Assert.Contains("list,watch", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_RoleWithResourceNames_NoRbacFindings()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader, namespace: prod}
            rules:
              - {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [billing-db-v1]}
              - {apiGroups: [""], resources: [configmaps], verbs: [list]}
            """);

        AssertNone(findings, LintChecks.RbacSecretRead);
        AssertNone(findings, LintChecks.RbacWildcard);
    }

    [Fact]
    public void Lint_WildcardInSecondRule_RbacWildcardAndSecretRead()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: ops, namespace: prod}
            rules:
              - {apiGroups: [""], resources: [configmaps], verbs: [get]}
              - {apiGroups: [""], resources: ["*"], verbs: [get]}
            """);

        var wildcard = AssertFinding(findings, LintChecks.RbacWildcard, "Role/ops (namespace prod)", "rules[1]");
        Assert.Contains("resources", wildcard.Message, StringComparison.Ordinal);
        Assert.Equal(6, wildcard.Line);
        AssertFinding(findings, LintChecks.RbacSecretRead, "Role/ops (namespace prod)", "rules[1].resourceNames");
        Assert.DoesNotContain(findings, f => f.Message.Contains("rules[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_SecretReadingRoleBoundToAuthenticated_RbacBroadSecretBinding()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader, namespace: prod}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [billing-db-v1]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: everyone, namespace: prod}
            roleRef: {kind: Role, name: reader}
            subjects:
              - {kind: ServiceAccount, name: web, namespace: prod}
              - {kind: Group, name: system:authenticated}
            """);

        var finding = AssertFinding(findings, LintChecks.RbacBroadSecretBinding, "RoleBinding/everyone (namespace prod)", "subjects[1]");
        Assert.Contains("system:authenticated", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_BuiltInEditBoundToServiceAccounts_RbacBroadSecretBinding()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: all-sa-edit}
            roleRef: {kind: ClusterRole, name: edit}
            subjects: [{kind: Group, name: system:serviceaccounts}]
            """);

        AssertFinding(findings, LintChecks.RbacBroadSecretBinding, "ClusterRoleBinding/all-sa-edit", "subjects[0]");
    }

    [Fact]
    public void Lint_NonSecretRoleBoundToBroadGroup_NoRbacBroadSecretBinding()
    {
        var findings = Lint("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: viewer}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: everyone}
            roleRef: {kind: ClusterRole, name: viewer}
            subjects: [{kind: Group, name: system:authenticated}]
            """);

        AssertNone(findings, LintChecks.RbacBroadSecretBinding);
    }

    [Fact]
    public void Lint_SecretWithoutNetworkPolicy_NamespaceWithoutNetworkPolicy()
    {
        var findings = Lint(GoodSecret.Replace("namespace: prod\n  labels", "namespace: staging\n  labels", StringComparison.Ordinal));

        var finding = AssertFinding(findings, LintChecks.NamespaceWithoutNetworkPolicy, "Secret/billing-db-v1 (namespace staging)", "metadata.namespace");
        Assert.Contains("staging", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_SecretWithNetworkPolicyInNamespace_NoNetworkPolicyFinding()
    {
        AssertNone(Lint(GoodSecret), LintChecks.NamespaceWithoutNetworkPolicy);
    }

    [Theory]
    [InlineData("identity: {}")]
    [InlineData("aescbc: {keys: [{name: k1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==}]}")]
    public void Lint_EncryptionFirstProviderWeak_EncryptionWeakProvider(string provider)
    {
        var findings = Lint($$"""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources:
              - resources: [secrets]
                providers:
                  - {{provider}}
                  - secretbox: {keys: [{name: k2, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==}]}
            """);

        var finding = AssertFinding(findings, LintChecks.EncryptionWeakProvider, "EncryptionConfiguration/(unnamed)", "resources[0].providers[0]");
        Assert.DoesNotContain("c2VjcmV0", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_EncryptionWithoutSecretsEntry_EncryptionWeakProvider()
    {
        var findings = Lint("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources: [{resources: [configmaps], providers: [{secretbox: {keys: []}}]}]
            """);

        AssertFinding(findings, LintChecks.EncryptionWeakProvider, "EncryptionConfiguration/(unnamed)", "resources");
    }

    [Fact]
    public void Lint_EncryptionKmsFirst_NoEncryptionFinding()
    {
        var findings = Lint("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources:
              - resources: [secrets]
                providers: [{kms: {apiVersion: v2, name: vault, endpoint: "unix:///kms.sock"}}, {identity: {}}]
            """);

        AssertNone(findings, LintChecks.EncryptionWeakProvider);
    }

    [Fact]
    public void Lint_AuditPolicyDropsSecrets_AuditSecretsNotLogged()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - level: None
                resources: [{group: "", resources: [secrets]}]
              - level: Metadata
            """);

        AssertFinding(findings, LintChecks.AuditSecretsNotLogged, "Policy/(unnamed)", "rules[0].level");
    }

    [Fact]
    public void Lint_AuditPolicyWithoutMatchingRule_AuditSecretsNotLogged()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules: [{level: RequestResponse, resources: [{group: apps, resources: [deployments]}]}]
            """);

        AssertFinding(findings, LintChecks.AuditSecretsNotLogged, "Policy/(unnamed)", "rules");
    }

    [Fact]
    public void Lint_AuditPolicyLogsSecretsAtMetadata_NoAuditFinding()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - {level: None, users: ["system:kube-proxy"], resources: [{group: "", resources: [endpoints]}]}
              - {level: Metadata, resources: [{group: "", resources: [secrets, configmaps]}]}
              - {level: None}
            """);

        AssertNone(findings, LintChecks.AuditSecretsNotLogged);
    }

    [Fact]
    public void Lint_AuditPolicyLogsSecretsAtRequestResponse_AuditSecretBodiesLogged()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - {level: Metadata, resources: [{group: "", resources: [configmaps]}]}
              - {level: RequestResponse, resources: [{group: "", resources: [secrets]}]}
            """);

        AssertFinding(findings, LintChecks.AuditSecretBodiesLogged, "Policy/(unnamed)", "rules[1].level");
        AssertNone(findings, LintChecks.AuditSecretsNotLogged);
    }

    [Fact]
    public void Lint_AuditPolicyCatchAllRequestForSomeVerbs_AuditSecretBodiesLogged()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - {level: Request, verbs: [create, update]}
              - {level: Metadata}
            """);

        AssertFinding(findings, LintChecks.AuditSecretBodiesLogged, "Policy/(unnamed)", "rules[0].level");
    }

    [Fact]
    public void Lint_AuditPolicyMetadataForSecretsBeforeRequestResponse_NoAuditFinding()
    {
        var findings = Lint("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
              - {level: Metadata, resources: [{group: "", resources: [secrets]}]}
              - {level: RequestResponse}
            """);

        AssertNone(findings, LintChecks.AuditSecretBodiesLogged);
        AssertNone(findings, LintChecks.AuditSecretsNotLogged);
    }

    [Fact]
    public void Lint_BareSecret_OwnerRotationAndNameFindings()
    {
        var findings = Lint("""
            apiVersion: v1
            kind: Secret
            metadata: {name: DB_Creds, namespace: prod}
            """);

        AssertFinding(findings, LintChecks.SecretOwnerLabel, "Secret/DB_Creds (namespace prod)", "metadata.labels");
        AssertFinding(findings, LintChecks.SecretRotationAnnotation, "Secret/DB_Creds (namespace prod)", "metadata.annotations");
        AssertFinding(findings, LintChecks.SecretNameConvention, "Secret/DB_Creds (namespace prod)", "metadata.name");
    }

    [Fact]
    public void Lint_SecretWithShortOwnerLabel_NoOwnerFinding()
    {
        var findings = Lint(GoodSecret.Replace("app.kubernetes.io/owner", "owner", StringComparison.Ordinal));

        AssertNone(findings, LintChecks.SecretOwnerLabel);
        AssertNone(findings, LintChecks.SecretRotationAnnotation);
        AssertNone(findings, LintChecks.SecretNameConvention);
    }

    [Fact]
    public void Lint_CustomNamePattern_AppliesInsteadOfDefault()
    {
        var options = new LintOptions { SecretNamePattern = new System.Text.RegularExpressions.Regex("^secret-[a-z]+$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)) };

        var findings = Lint(GoodSecret, options);

        AssertFinding(findings, LintChecks.SecretNameConvention, "Secret/billing-db-v1 (namespace prod)", "metadata.name");
    }

    [Fact]
    public void Lint_MultiDocumentFile_FindingsFromEveryDocumentInLineOrder()
    {
        var findings = Lint("""
            # rendered by helm
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: one}
            ---
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {api_key: q8Zr2LmX9vTp4KsW}
            """);

        AssertFinding(findings, LintChecks.SecretNameConvention, "Secret/one", "metadata.name");
        AssertFinding(findings, LintChecks.ConfigMapSecret, "ConfigMap/settings", "data.api_key");
        Assert.Equal(findings.OrderBy(f => f.Line), findings);
    }

    [Fact]
    public void Lint_JsonListFromKubectl_ChecksItems()
    {
        var findings = Lint("""
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}}
            ]}
            """);

        AssertFinding(findings, LintChecks.SecretNameConvention, "Secret/db", "metadata.name");
    }

    [Fact]
    public void Lint_MalformedYaml_ParseErrorNamesFileAndLine()
    {
        var error = Assert.Throws<ManifestParseException>(() => Lint("apiVersion: v1\nkind: Secret\nmetadata: {name: [x\n"));

        Assert.StartsWith("manifests.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_AliasBomb_RejectedBeforeExpanding()
    {
        var bomb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var error = Assert.Throws<ManifestParseException>(() => Lint(bomb.ToString()));

        Assert.Contains("alias bomb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_FewAliases_Accepted()
    {
        var findings = Lint("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, labels: &labels {app: web}}
            data: {log_level: debug}
            extra: *labels
            """);

        Assert.Empty(findings);
    }

    [Fact]
    public void Lint_DeeplyNested_Rejected()
    {
        var error = Assert.Throws<ManifestParseException>(() => Lint(new string('[', 10_000) + new string(']', 10_000)));

        Assert.Contains("nested deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_HugeDocument_Rejected()
    {
        var error = Assert.Throws<ManifestParseException>(() => Lint("data: " + new string('a', ManifestReader.MaxChars)));

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }
}
