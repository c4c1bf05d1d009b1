namespace Coffer.Core.Access;

/// <summary>One way a subject holds a permission: through this binding (or a token's own role) and this role.</summary>
public sealed record AccessGrant(AccessSubject Subject, string BindingKind, string? BindingNamespace, string BindingName, string RoleKind, string RoleName);
