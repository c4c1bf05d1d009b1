using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Server.Auth;

namespace Coffer.Server.Access;

/// <summary>Stops privilege escalation: roles, bindings and token roles may grant only what their author holds.</summary>
internal static class GrantLimit
{
    /// <summary>Roles bound to a token (or to the tokens a login role issues) must exist and be held by the caller in full.</summary>
    public static void RequireHoldsRoles(AccessPolicy policy, CallerIdentity caller, IReadOnlyList<BoundRole> roles, string what)
    {
        foreach (var role in roles)
        {
            var rules = policy.Roles.FirstOrDefault(r => r.Namespace == role.Namespace && r.Name == role.Name)?.Rules
                ?? throw CofferException.NotFound("RoleNotFound", $"{(role.Namespace is null ? "ClusterRole " : $"Role {role.Namespace}/")}{role.Name} does not exist");
            RequireHolds(policy, caller, rules, role.Namespace, $"{what} ({role.Name})");
        }
    }

    /// <summary>A caller may grant only what they hold themselves: otherwise writing a role would be a way to more power.</summary>
    public static void RequireHolds(AccessPolicy policy, CallerIdentity caller, IReadOnlyList<PolicyRule> rules, string? ns, string what)
    {
        foreach (var rule in rules)
        {
            foreach (var verb in rule.Verbs)
            {
                foreach (var resource in rule.Resources)
                {
                    foreach (var name in rule.ResourceNames.Count == 0 ? [null] : rule.ResourceNames.Select(n => (string?)n))
                    {
                        if (!policy.Check(caller.Principal, new AccessAttributes(verb, resource, ns, name)).Allowed)
                        {
                            throw new CofferException(
                                ErrorKind.Forbidden,
                                "Escalation",
                                $"{caller.Name} may not grant {verb} on {resource}{(name is null ? string.Empty : $"/{name}")} through {what}: you can only grant what you hold");
                        }
                    }
                }
            }
        }
    }
}
