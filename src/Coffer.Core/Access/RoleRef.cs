namespace Coffer.Core.Access;

/// <summary>What a binding grants: <c>Role</c> (in the binding's namespace) or <c>ClusterRole</c>.</summary>
public sealed record RoleRef(string Kind, string Name);
