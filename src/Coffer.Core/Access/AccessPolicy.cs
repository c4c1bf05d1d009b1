namespace Coffer.Core.Access;

/// <summary>
/// Every role and binding at one moment, answering access questions with Kubernetes RBAC semantics:
/// rules only add permissions, nothing is allowed unless a rule allows it.
/// </summary>
public sealed class AccessPolicy(IReadOnlyList<AccessRole> roles, IReadOnlyList<AccessBinding> bindings)
{
    public static AccessPolicy Empty { get; } = new([], []);

    public IReadOnlyList<AccessRole> Roles { get; } = roles;

    public IReadOnlyList<AccessBinding> Bindings { get; } = bindings;

    /// <summary>Whether <paramref name="principal"/> may do what <paramref name="attributes"/> asks; root may do anything.</summary>
    public AccessVerdict Check(Principal principal, AccessAttributes attributes) => throw new NotImplementedException();

    /// <summary>Every subject bound to a role that allows <paramref name="attributes"/>, with the binding and role.</summary>
    public IReadOnlyList<AccessGrant> WhoCan(AccessAttributes attributes) => throw new NotImplementedException();

    /// <summary>The rules that apply to <paramref name="principal"/> in <paramref name="namespace"/> (cluster-wide ones included), for <c>can-i --list</c>.</summary>
    public IReadOnlyList<PolicyRule> RulesFor(Principal principal, string? @namespace) => throw new NotImplementedException();

    /// <summary>Whether any rule at all applies to <paramref name="principal"/> in <paramref name="namespace"/>: if none, the namespace is invisible to them.</summary>
    public bool MaySeeNamespace(Principal principal, string @namespace) => throw new NotImplementedException();
}
