namespace Coffer.Storage;

/// <summary>A role or binding by kind (<c>Role</c>, <c>ClusterRole</c>, <c>RoleBinding</c>, <c>ClusterRoleBinding</c>), namespace and name.</summary>
public sealed record AccessObjectKey(string Kind, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
