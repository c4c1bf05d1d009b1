namespace Coffer.Server.Auth;

internal sealed record LoginRoleList(IReadOnlyList<LoginRoleResource> Items);
