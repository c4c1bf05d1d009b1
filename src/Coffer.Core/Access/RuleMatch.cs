namespace Coffer.Core.Access;

/// <summary>Whether one RBAC rule allows one request, as Kubernetes' <c>RuleAllows</c> decides it.</summary>
internal static class RuleMatch
{
    public const string Wildcard = "*";
    public const string CofferGroup = "coffer.dev";

    public static bool Allows(PolicyRule rule, string verb, string resource, string? name) =>
        GroupMatches(rule.ApiGroups) && VerbMatches(rule.Verbs, verb) && ResourceMatches(rule.Resources, resource) && NameMatches(rule.ResourceNames, name);

    public static bool Allows(PolicyRule rule, AccessAttributes attributes) =>
        Allows(rule, attributes.Verb, attributes.Resource, attributes.Name);

    public static bool Allows(AccessRole role, AccessAttributes attributes)
    {
        var rules = role.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            if (Allows(rules[i], attributes))
            {
                return true;
            }
        }

        return false;
    }

    // Every Coffer resource lives in the core group, so a rule must name "", "*" or Coffer's own group.
    public static bool GroupMatches(IReadOnlyList<string> apiGroups)
    {
        for (var i = 0; i < apiGroups.Count; i++)
        {
            var group = apiGroups[i];
            if (group.Length == 0 || group == Wildcard || group == CofferGroup)
            {
                return true;
            }
        }

        return false;
    }

    public static bool VerbMatches(IReadOnlyList<string> verbs, string verb)
    {
        for (var i = 0; i < verbs.Count; i++)
        {
            var candidate = verbs[i];
            if (candidate == Wildcard || candidate == verb)
            {
                return true;
            }
        }

        return false;
    }

    public static bool ResourceMatches(IReadOnlyList<string> resources, string resource)
    {
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        for (var i = 0; i < resources.Count; i++)
        {
            var candidate = resources[i];
            if (candidate == Wildcard || candidate == resource)
            {
                return true;
            }

            // "*/versions" matches the versions subresource of any resource, and nothing else.
            if (slash >= 0 && candidate.Length > 2 && candidate[0] == '*' && candidate[1] == '/'
                && resource.AsSpan(slash + 1).SequenceEqual(candidate.AsSpan(2)))
            {
                return true;
            }
        }

        return false;
    }

    public static bool NameMatches(IReadOnlyList<string> resourceNames, string? name)
    {
        if (resourceNames.Count == 0)
        {
            return true;
        }

        if (name is null)
        {
            return false;
        }

        for (var i = 0; i < resourceNames.Count; i++)
        {
            if (resourceNames[i] == name)
            {
                return true;
            }
        }

        return false;
    }
}
