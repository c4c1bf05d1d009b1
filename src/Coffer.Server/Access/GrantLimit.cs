using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Server.Auth;

namespace Coffer.Server.Access;

/// <summary>Stops privilege escalation: roles, bindings and token roles may grant only what their author holds.</summary>
internal static class GrantLimit
{
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
