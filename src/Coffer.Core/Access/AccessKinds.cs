namespace Coffer.Core.Access;

/// <summary>The kind names, spelled as Kubernetes spells them.</summary>
public static class AccessKinds
{
    public const string Role = "Role";
    public const string ClusterRole = "ClusterRole";
    public const string RoleBinding = "RoleBinding";
    public const string ClusterRoleBinding = "ClusterRoleBinding";
    public const string User = "User";
    public const string Group = "Group";
    public const string ServiceAccount = "ServiceAccount";
}
