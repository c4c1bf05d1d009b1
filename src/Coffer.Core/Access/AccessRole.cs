namespace Coffer.Core.Access;

/// <summary>A <c>Role</c> (in <paramref name="Namespace"/>) or, when <paramref name="Namespace"/> is null, a <c>ClusterRole</c>.</summary>
public sealed record AccessRole(string? Namespace, string Name, IReadOnlyList<PolicyRule> Rules)
{
    public string Kind => Namespace is null ? AccessKinds.ClusterRole : AccessKinds.Role;
}
