namespace Coffer.Server.Auth;

/// <summary>A role bound to a new token: a Role in <paramref name="Namespace"/>, or a ClusterRole when it is absent.</summary>
internal sealed record TokenRoleRequest(string Name, string? Namespace = null);
