namespace Coffer.Core.Access;

/// <summary>
/// Who is asking: a user name and groups, as Kubernetes names them (a service account is
/// <c>system:serviceaccount:NS:NAME</c>), plus any roles bound to the token itself.
/// </summary>
public sealed record Principal(string User, IReadOnlyList<string> Groups, IReadOnlyList<BoundRole> TokenRoles, bool IsRoot = false);
