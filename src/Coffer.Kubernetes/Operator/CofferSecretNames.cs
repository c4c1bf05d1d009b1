namespace Coffer.Kubernetes.Operator;

/// <summary>The custom resource's coordinates and the labels and annotations the operator owns.</summary>
internal static class CofferSecretNames
{
    public const string Group = "coffer.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "CofferSecret";
    public const string Plural = "coffersecrets";

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "coffer";

    /// <summary>On a native Secret: the <c>namespace/name</c> of the CofferSecret that keeps it.</summary>
    public const string OwnerAnnotation = "coffer.dev/owner";
    public const string VersionAnnotation = "coffer.dev/version";
    public const string HashAnnotation = "coffer.dev/data-hash";

    /// <summary>On a native Secret: what to do with it once its CofferSecret is gone, even if that happened while the operator was down.</summary>
    public const string CreationPolicyAnnotation = "coffer.dev/creation-policy";
    public const string DeletionPolicyAnnotation = "coffer.dev/deletion-policy";

    /// <summary>On a Merge target: the keys the operator put there, so deletion can take them back out.</summary>
    public const string MergedKeysAnnotation = "coffer.dev/merged-keys";

    public const string Owner = "Owner";
    public const string Orphan = "Orphan";
    public const string Merge = "Merge";
    public const string Delete = "Delete";
    public const string Retain = "Retain";
}
