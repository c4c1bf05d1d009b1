using Coffer.Core.Access;

namespace Coffer.Server.Access;

/// <summary>
/// RBAC YAML as Kubernetes writes it: one or more documents of <c>Role</c>, <c>ClusterRole</c>, <c>RoleBinding</c>
/// and <c>ClusterRoleBinding</c> (apiVersion <c>rbac.authorization.k8s.io/v1</c>). Parsing is all or nothing.
/// </summary>
internal sealed record AccessManifest(IReadOnlyList<AccessRole> Roles, IReadOnlyList<AccessBinding> Bindings)
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Parses and validates every document; the first problem is thrown as a 400 naming the document and field.</summary>
    public static AccessManifest Parse(string yaml) => throw new NotImplementedException();
}
