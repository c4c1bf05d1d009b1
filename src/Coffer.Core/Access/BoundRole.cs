namespace Coffer.Core.Access;

/// <summary>A role bound to a token: a <c>Role</c> in <paramref name="Namespace"/>, or a <c>ClusterRole</c> (cluster-wide) when it is null.</summary>
public sealed record BoundRole(string? Namespace, string Name);
