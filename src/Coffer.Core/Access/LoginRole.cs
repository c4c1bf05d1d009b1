namespace Coffer.Core.Access;

/// <summary>
/// Which Kubernetes service accounts may log in under this name, and what their token gets: a TTL and roles of its
/// own, on top of the bindings to the service account itself. <c>*</c> in a bound list admits any.
/// </summary>
public sealed record LoginRole(string Name, IReadOnlyList<string> BoundServiceAccountNames, IReadOnlyList<string> BoundNamespaces, TimeSpan Ttl, IReadOnlyList<BoundRole> TokenRoles)
{
    public const string Any = "*";

    public bool Admits(string @namespace, string serviceAccount) =>
        (BoundNamespaces.Contains(Any) || BoundNamespaces.Contains(@namespace))
        && (BoundServiceAccountNames.Contains(Any) || BoundServiceAccountNames.Contains(serviceAccount));
}
