namespace Coffer.Scanning.Linting;

/// <summary>Every check <c>coffer lint</c> runs; docs/lint.md lists the same table.</summary>
public static class LintChecks
{
    public const string OwnerLabel = "app.kubernetes.io/owner";
    public const string ShortOwnerLabel = "owner";
    public const string RotationAnnotation = "coffer.dev/rotation";

    public static readonly LintCheck EnvSecretRef = new("env-secret-ref", LintSeverity.Medium,
        "Secret exposed as an environment variable", "Mount the Secret as a volume and read the file; env leaks into child processes, crash dumps and `kubectl describe`.");

    public static readonly LintCheck EnvLiteralSecret = new("env-literal-secret", LintSeverity.High,
        "Literal secret value in a container env", "Move the value into a Secret (or Coffer) and mount it as a file.");

    public static readonly LintCheck ConfigMapSecret = new("configmap-secret", LintSeverity.High,
        "ConfigMap holds a secret-looking key or value", "Move the entry into a Secret; ConfigMaps are readable by anyone who can read configuration.");

    public static readonly LintCheck PodDefaultServiceAccount = new("pod-default-service-account", LintSeverity.Low,
        "Pod runs as the namespace's default service account", "Create a service account for the workload and set serviceAccountName.");

    public static readonly LintCheck PodAutomountToken = new("pod-automount-token", LintSeverity.Medium,
        "Pod gets a service account token mounted automatically", "Set automountServiceAccountToken: false unless the pod calls the Kubernetes API.");

    public static readonly LintCheck RbacSecretRead = new("rbac-secret-read", LintSeverity.High,
        "Role reads every Secret of its scope", "List the Secrets the role needs in resourceNames, or drop get/list/watch on secrets.");

    public static readonly LintCheck RbacWildcard = new("rbac-wildcard", LintSeverity.Medium,
        "Role rule uses a wildcard", "Name the apiGroups, resources and verbs the role needs.");

    public static readonly LintCheck RbacBroadSecretBinding = new("rbac-broad-secret-binding", LintSeverity.High,
        "Secret-reading role bound to a broad group", "Bind the role to the service accounts or users that need it, not to system:authenticated, system:unauthenticated or system:serviceaccounts.");

    public static readonly LintCheck NamespaceWithoutNetworkPolicy = new("namespace-without-network-policy", LintSeverity.Medium,
        "Namespace holds Secrets but has no NetworkPolicy", "Add a default-deny NetworkPolicy and allow only the traffic the workloads need.");

    public static readonly LintCheck EncryptionWeakProvider = new("encryption-weak-provider", LintSeverity.High,
        "Secrets are stored unencrypted or with aescbc", "Put kms (v2) or secretbox first in the providers for secrets, then rewrite every Secret.");

    public static readonly LintCheck AuditSecretsNotLogged = new("audit-secrets-not-logged", LintSeverity.Medium,
        "Audit policy does not log access to Secrets", "Add a rule for group \"\" resource secrets at level Metadata before any rule that drops them.");

    public static readonly LintCheck AuditSecretBodiesLogged = new("audit-secret-bodies-logged", LintSeverity.High,
        "Audit policy logs Secret request or response bodies", "Log secrets at level Metadata in a rule placed before any Request or RequestResponse rule that would match them.");

    public static readonly LintCheck SecretOwnerLabel = new("secret-owner-label", LintSeverity.Low,
        "Secret has no owner label", $"Label the Secret {OwnerLabel}: <team> so someone answers for it.");

    public static readonly LintCheck SecretRotationAnnotation = new("secret-rotation-annotation", LintSeverity.Low,
        "Secret has no rotation annotation", $"Annotate the Secret {RotationAnnotation}: <period or date> so its rotation is tracked.");

    public static readonly LintCheck SecretNameConvention = new("secret-name-convention", LintSeverity.Low,
        "Secret name breaks the naming convention", "Name the Secret <app>-<kind>-v<version> (or match --secret-name-pattern).");

    public static IReadOnlyList<LintCheck> All { get; } =
    [
        EnvSecretRef, EnvLiteralSecret, ConfigMapSecret, PodDefaultServiceAccount, PodAutomountToken, RbacSecretRead, RbacWildcard,
        RbacBroadSecretBinding, NamespaceWithoutNetworkPolicy, EncryptionWeakProvider, AuditSecretsNotLogged, AuditSecretBodiesLogged,
        SecretOwnerLabel, SecretRotationAnnotation, SecretNameConvention,
    ];
}
