using Coffer.Core.Access;

namespace Coffer.Server.Auth;

internal sealed record LoginRoleResource(string Name, IReadOnlyList<string> BoundServiceAccountNames, IReadOnlyList<string> BoundNamespaces, string Ttl, IReadOnlyList<BoundRole> Roles);
