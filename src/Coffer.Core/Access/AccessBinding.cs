namespace Coffer.Core.Access;

/// <summary>A <c>RoleBinding</c> (in <paramref name="Namespace"/>) or, when <paramref name="Namespace"/> is null, a <c>ClusterRoleBinding</c>.</summary>
public sealed record AccessBinding(string? Namespace, string Name, RoleRef RoleRef, IReadOnlyList<AccessSubject> Subjects)
{
    public string Kind => Namespace is null ? AccessKinds.ClusterRoleBinding : AccessKinds.RoleBinding;
}
