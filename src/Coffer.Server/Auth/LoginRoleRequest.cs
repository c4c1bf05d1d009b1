namespace Coffer.Server.Auth;

internal sealed record LoginRoleRequest(IReadOnlyList<string>? BoundServiceAccountNames, IReadOnlyList<string>? BoundNamespaces, string? Ttl, IReadOnlyList<TokenRoleRequest>? Roles);
