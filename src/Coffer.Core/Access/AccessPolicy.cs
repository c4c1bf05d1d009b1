namespace Coffer.Core.Access;

/// <summary>
/// Every role and binding at one moment, answering access questions with Kubernetes RBAC semantics:
/// rules only add permissions, nothing is allowed unless a rule allows it.
/// </summary>
public sealed class AccessPolicy
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    // Root may do anything; can-i --list shows it as one rule that allows everything.
    private static readonly PolicyRule Everything = new([RuleMatch.Wildcard], [RuleMatch.Wildcard], [RuleMatch.Wildcard], []);

    private readonly Dictionary<(string? Namespace, string Name), AccessRole> rolesByKey = [];

    // Scope is the binding's namespace, or null for a ClusterRoleBinding; the user key of a service account is its full user name.
    private readonly Dictionary<(string? Scope, string User), List<ResolvedBinding>> byUser = [];
    private readonly Dictionary<(string? Scope, string Group), List<ResolvedBinding>> byGroup = [];
    private readonly List<ResolvedBinding> resolved = [];

    public AccessPolicy(IReadOnlyList<AccessRole> roles, IReadOnlyList<AccessBinding> bindings)
    {
        Roles = roles;
        Bindings = bindings;

        foreach (var role in roles)
        {
            // Later duplicates lose, so the first stored role of a name is the one that counts.
            rolesByKey.TryAdd((role.Namespace, role.Name), role);
        }

        foreach (var binding in bindings)
        {
            var role = ResolveRoleRef(binding);
            if (role is null)
            {
                continue;
            }

            var entry = new ResolvedBinding(binding, role, $"{Describe(binding)} grants {Describe(role)}");
            resolved.Add(entry);
            foreach (var subject in binding.Subjects)
            {
                switch (subject.Kind)
                {
                    case AccessKinds.User:
                        AddTo(byUser, (binding.Namespace, subject.Name), entry);
                        break;
                    case AccessKinds.Group:
                        AddTo(byGroup, (binding.Namespace, subject.Name), entry);
                        break;
                    case AccessKinds.ServiceAccount when subject.Namespace is not null:
                        AddTo(byUser, (binding.Namespace, ServiceAccountUser(subject.Namespace, subject.Name)), entry);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    public static AccessPolicy Empty { get; } = new([], []);

    public IReadOnlyList<AccessRole> Roles { get; }

    public IReadOnlyList<AccessBinding> Bindings { get; }

    /// <summary>Whether <paramref name="principal"/> may do what <paramref name="attributes"/> asks; root may do anything.</summary>
    public AccessVerdict Check(Principal principal, AccessAttributes attributes)
    {
        if (principal.IsRoot)
        {
            return new AccessVerdict(true, "root");
        }

        var ns = attributes.Namespace;
        var reason = FirstAllowing(byUser, (null, principal.User), attributes);
        if (reason is null && ns is not null)
        {
            reason = FirstAllowing(byUser, (ns, principal.User), attributes);
        }

        var groups = principal.Groups;
        for (var i = 0; reason is null && i < groups.Count; i++)
        {
            reason = FirstAllowing(byGroup, (null, groups[i]), attributes);
            if (reason is null && ns is not null)
            {
                reason = FirstAllowing(byGroup, (ns, groups[i]), attributes);
            }
        }

        var tokenRoles = principal.TokenRoles;
        for (var i = 0; reason is null && i < tokenRoles.Count; i++)
        {
            var role = TokenRole(tokenRoles[i], ns);
            if (role is not null && RuleMatch.Allows(role, attributes))
            {
                reason = $"token role {role.Kind}/{RoleKey(role)}";
            }
        }

        return reason is null ? new AccessVerdict(false, Denial(attributes)) : new AccessVerdict(true, reason);
    }

    /// <summary>Every subject bound to a role that allows <paramref name="attributes"/>, with the binding and role.</summary>
    public IReadOnlyList<AccessGrant> WhoCan(AccessAttributes attributes)
    {
        var grants = new List<AccessGrant>();
        foreach (var entry in resolved)
        {
            if (!AppliesIn(entry.Binding, attributes.Namespace) || !RuleMatch.Allows(entry.Role, attributes))
            {
                continue;
            }

            var seen = new HashSet<AccessSubject>();
            foreach (var subject in entry.Binding.Subjects)
            {
                if (seen.Add(subject))
                {
                    grants.Add(new AccessGrant(subject, entry.Binding.Kind, entry.Binding.Namespace, entry.Binding.Name, entry.Role.Kind, entry.Role.Name));
                }
            }
        }

        return grants;
    }

    /// <summary>The rules that apply to <paramref name="principal"/> in <paramref name="namespace"/> (cluster-wide ones included), for <c>can-i --list</c>.</summary>
    public IReadOnlyList<PolicyRule> RulesFor(Principal principal, string? @namespace)
    {
        if (principal.IsRoot)
        {
            return [Everything];
        }

        var rules = new List<PolicyRule>();
        var seenRoles = new HashSet<AccessRole>(ReferenceEqualityComparer.Instance);
        foreach (var role in RolesApplying(principal, @namespace))
        {
            if (seenRoles.Add(role))
            {
                rules.AddRange(role.Rules);
            }
        }

        return rules;
    }

    /// <summary>Whether any rule at all applies to <paramref name="principal"/> in <paramref name="namespace"/>: if none, the namespace is invisible to them.</summary>
    public bool MaySeeNamespace(Principal principal, string @namespace)
    {
        if (principal.IsRoot)
        {
            return true;
        }

        foreach (var role in RolesApplying(principal, @namespace))
        {
            if (role.Rules.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    internal static string ServiceAccountUser(string @namespace, string name) => $"{ServiceAccountPrefix}{@namespace}:{name}";

    private static void AddTo<TKey>(Dictionary<TKey, List<ResolvedBinding>> index, TKey key, ResolvedBinding entry)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            list = [];
            index.Add(key, list);
        }

        // A subject named twice in one binding still holds one grant through it.
        if (list.Count == 0 || !ReferenceEquals(list[^1], entry))
        {
            list.Add(entry);
        }
    }

    private static string? FirstAllowing<TKey>(Dictionary<TKey, List<ResolvedBinding>> index, TKey key, AccessAttributes attributes)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            return null;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (RuleMatch.Allows(list[i].Role, attributes))
            {
                return list[i].Reason;
            }
        }

        return null;
    }

    private static bool AppliesIn(AccessBinding binding, string? @namespace) =>
        binding.Namespace is null || (@namespace is not null && binding.Namespace == @namespace);

    private static string Describe(AccessBinding binding) =>
        binding.Namespace is null ? $"{binding.Kind} {binding.Name}" : $"{binding.Kind} {binding.Namespace}/{binding.Name}";

    private static string Describe(AccessRole role) => $"{role.Kind} {RoleKey(role)}";

    private static string RoleKey(AccessRole role) => role.Namespace is null ? role.Name : $"{role.Namespace}/{role.Name}";

    private static string Denial(AccessAttributes attributes)
    {
        var name = attributes.Name is null ? string.Empty : $" named {attributes.Name}";
        var scope = attributes.Namespace is null ? " at cluster scope" : $" in namespace {attributes.Namespace}";
        return $"no rule allows {attributes.Verb} {attributes.Resource}{name}{scope}";
    }

    private AccessRole? ResolveRoleRef(AccessBinding binding) => binding.RoleRef.Kind switch
    {
        AccessKinds.ClusterRole => rolesByKey.GetValueOrDefault((null, binding.RoleRef.Name)),

        // A ClusterRoleBinding cannot grant a namespaced Role; Kubernetes refuses it, so it grants nothing here.
        AccessKinds.Role when binding.Namespace is not null => rolesByKey.GetValueOrDefault((binding.Namespace, binding.RoleRef.Name)),
        _ => null,
    };

    // A token's Role grants only in its own namespace; a token's ClusterRole grants everywhere.
    private AccessRole? TokenRole(BoundRole bound, string? @namespace) =>
        bound.Namespace is null || bound.Namespace == @namespace ? rolesByKey.GetValueOrDefault((bound.Namespace, bound.Name)) : null;

    private IEnumerable<AccessRole> RolesApplying(Principal principal, string? @namespace)
    {
        foreach (var scope in @namespace is null ? [null] : new[] { null, @namespace })
        {
            if (byUser.TryGetValue((scope, principal.User), out var userBindings))
            {
                foreach (var entry in userBindings)
                {
                    yield return entry.Role;
                }
            }

            foreach (var group in principal.Groups)
            {
                if (byGroup.TryGetValue((scope, group), out var groupBindings))
                {
                    foreach (var entry in groupBindings)
                    {
                        yield return entry.Role;
                    }
                }
            }
        }

        foreach (var bound in principal.TokenRoles)
        {
            var role = TokenRole(bound, @namespace);
            if (role is not null)
            {
                yield return role;
            }
        }
    }

    private sealed record ResolvedBinding(AccessBinding Binding, AccessRole Role, string Reason);
}
