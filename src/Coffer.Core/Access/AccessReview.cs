namespace Coffer.Core.Access;

/// <summary>Finds risky grants in a policy: the checks of <c>coffer access review</c>.</summary>
public static class AccessReview
{
    public const string WildcardVerb = "WildcardVerb";
    public const string WildcardResource = "WildcardResource";
    public const string BroadSecretRead = "BroadSecretRead";
    public const string DefaultServiceAccountBinding = "DefaultServiceAccountBinding";
    public const string BroadGroupBinding = "BroadGroupBinding";
    public const string UnknownSubject = "UnknownSubject";
    public const string UnusedRole = "UnusedRole";
    public const string TokenWithoutExpiry = "TokenWithoutExpiry";

    private const string Secrets = "secrets";
    private const string Unauthenticated = "system:unauthenticated";

    // Verbs that reveal every secret of a scope at once, rather than one named secret.
    private static readonly string[] EnumeratingVerbs = ["list", "watch"];

    private static readonly string[] BroadGroups = ["system:authenticated", "system:serviceaccounts", Unauthenticated];

    /// <param name="knownUsers">User names that have logged in or hold a token; bindings to any other subject are flagged.</param>
    public static IReadOnlyList<AccessFinding> Find(AccessPolicy policy, IReadOnlyCollection<string> knownUsers, IReadOnlyList<ReviewedToken> tokens)
    {
        var findings = new List<AccessFinding>();
        var known = knownUsers as ISet<string> ?? new HashSet<string>(knownUsers, StringComparer.Ordinal);
        var clusterBoundRoles = new HashSet<string>(StringComparer.Ordinal);
        var usedRoles = new HashSet<(string? Namespace, string Name)>();

        foreach (var binding in policy.Bindings)
        {
            if (binding.RoleRef.Kind == AccessKinds.ClusterRole)
            {
                usedRoles.Add((null, binding.RoleRef.Name));
                if (binding.Namespace is null)
                {
                    clusterBoundRoles.Add(binding.RoleRef.Name);
                }
            }
            else if (binding.RoleRef.Kind == AccessKinds.Role && binding.Namespace is not null)
            {
                usedRoles.Add((binding.Namespace, binding.RoleRef.Name));
            }

            ReviewSubjects(binding, known, findings);
        }

        foreach (var role in policy.Roles)
        {
            ReviewRole(role, clusterBoundRoles.Contains(role.Name) && role.Namespace is null, findings);
            if (!usedRoles.Contains((role.Namespace, role.Name)))
            {
                findings.Add(new AccessFinding(
                    AccessSeverity.Low,
                    UnusedRole,
                    Describe(role),
                    "no binding refers to this role, so it grants nothing",
                    "delete the role, or bind it to the subjects that need it"));
            }
        }

        foreach (var token in tokens)
        {
            if (token.ExpiresAt is null)
            {
                findings.Add(new AccessFinding(
                    token.IsRoot ? AccessSeverity.High : AccessSeverity.Medium,
                    TokenWithoutExpiry,
                    $"token {token.Accessor} ({token.DisplayName})",
                    token.IsRoot ? "a root token never expires: anyone who copies it can do anything, forever" : "the token never expires, so a leaked copy works forever",
                    token.IsRoot ? "revoke the root token and create one only when needed, with a short ttl" : "revoke it and issue a token with a ttl"));
            }
        }

        findings.Sort(static (a, b) =>
        {
            var order = b.Severity.CompareTo(a.Severity);
            if (order == 0)
            {
                order = string.CompareOrdinal(a.Object, b.Object);
            }

            return order == 0 ? string.CompareOrdinal(a.Code, b.Code) : order;
        });
        return findings;
    }

    private static void ReviewRole(AccessRole role, bool boundClusterWide, List<AccessFinding> findings)
    {
        var name = Describe(role);
        var wildcardVerbRules = new List<int>();
        var wildcardResourceRules = new List<int>();
        var broadReadRules = new List<int>();
        for (var i = 0; i < role.Rules.Count; i++)
        {
            var rule = role.Rules[i];
            if (rule.Verbs.Contains(RuleMatch.Wildcard))
            {
                wildcardVerbRules.Add(i);
            }

            if (rule.Resources.Contains(RuleMatch.Wildcard))
            {
                wildcardResourceRules.Add(i);
            }

            if (Array.Exists(EnumeratingVerbs, verb => RuleMatch.Allows(rule, verb, Secrets, null)))
            {
                broadReadRules.Add(i);
            }
        }

        if (wildcardVerbRules.Count > 0)
        {
            findings.Add(new AccessFinding(
                AccessSeverity.High,
                WildcardVerb,
                name,
                $"{RuleList(wildcardVerbRules, "allows", "allow")} every verb (\"*\"), including destroy, rotate and impersonate",
                "list the verbs the subjects need, such as get and list, instead of \"*\""));
        }

        if (wildcardResourceRules.Count > 0)
        {
            findings.Add(new AccessFinding(
                AccessSeverity.High,
                WildcardResource,
                name,
                $"{RuleList(wildcardResourceRules, "applies", "apply")} to every resource (\"*\"), including roles, bindings and tokens",
                "list the resources the subjects need, such as secrets, instead of \"*\""));
        }

        if (broadReadRules.Count > 0)
        {
            var scope = boundClusterWide ? "every namespace, through a ClusterRoleBinding" : role.Namespace is null ? "each namespace it is bound in" : $"namespace {role.Namespace}";
            findings.Add(new AccessFinding(
                boundClusterWide ? AccessSeverity.Critical : AccessSeverity.High,
                BroadSecretRead,
                name,
                $"{RuleList(broadReadRules, "allows", "allow")} list or watch on secrets without resourceNames, revealing every secret's metadata in {scope}",
                "name the secrets in resourceNames and grant get instead of list"));
        }
    }

    private static void ReviewSubjects(AccessBinding binding, ISet<string> known, List<AccessFinding> findings)
    {
        var name = Describe(binding);
        foreach (var subject in binding.Subjects)
        {
            switch (subject.Kind)
            {
                case AccessKinds.ServiceAccount when subject.Name == "default":
                    findings.Add(new AccessFinding(
                        AccessSeverity.Medium,
                        DefaultServiceAccountBinding,
                        name,
                        $"binds the default service account of namespace {subject.Namespace}, which every pod there runs as unless told otherwise",
                        "create a dedicated service account for the workload that needs access and bind that instead"));
                    break;
                case AccessKinds.Group when Array.IndexOf(BroadGroups, subject.Name) >= 0:
                    findings.Add(new AccessFinding(
                        subject.Name == Unauthenticated ? AccessSeverity.Critical : AccessSeverity.High,
                        BroadGroupBinding,
                        name,
                        $"binds group {subject.Name}, which {(subject.Name == Unauthenticated ? "includes anyone without credentials" : "includes every authenticated caller of its kind")}",
                        "bind the specific users, groups or service accounts that need access instead of a system group"));
                    break;
                default:
                    break;
            }

            var user = subject.Kind switch
            {
                AccessKinds.User => subject.Name,
                AccessKinds.ServiceAccount when subject.Namespace is not null => AccessPolicy.ServiceAccountUser(subject.Namespace, subject.Name),
                _ => null,
            };
            if (user is not null && !known.Contains(user))
            {
                findings.Add(new AccessFinding(
                    AccessSeverity.Low,
                    UnknownSubject,
                    name,
                    $"subject {subject.Kind} {user} has never logged in and holds no token (a typo, or someone who has left)",
                    "check the subject's spelling, or remove it from the binding"));
            }
        }
    }

    private static string RuleList(List<int> indexes, string singular, string plural) =>
        indexes.Count == 1 ? $"rules[{indexes[0]}] {singular}" : $"rules[{string.Join("], rules[", indexes)}] {plural}";

    private static string Describe(AccessRole role) =>
        role.Namespace is null ? $"{role.Kind} {role.Name}" : $"{role.Kind} {role.Namespace}/{role.Name}";

    private static string Describe(AccessBinding binding) =>
        binding.Namespace is null ? $"{binding.Kind} {binding.Name}" : $"{binding.Kind} {binding.Namespace}/{binding.Name}";
}
