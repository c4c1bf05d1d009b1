using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Checks on Roles, ClusterRoles and their bindings; every rule is judged, not only the first.</summary>
internal static class RbacChecks
{
    private static readonly string[] ReadVerbs = ["get", "list", "watch", "*"];

    private static readonly string[] BroadGroups = ["system:authenticated", "system:unauthenticated", "system:serviceaccounts"];

    /// <summary>Built-in ClusterRoles that read Secrets, for bindings whose role is not in the input.</summary>
    private static readonly string[] BuiltInSecretReaders = ["cluster-admin", "admin", "edit"];

    public static void Run(LintContext context)
    {
        foreach (var role in context.OfKind("Role", "ClusterRole"))
        {
            var rules = role.Root.Items("rules");
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i] is YamlMappingNode rule)
                {
                    CheckRule(context, role, rule, $"rules[{i}]");
                }
            }
        }

        foreach (var binding in context.OfKind("RoleBinding", "ClusterRoleBinding"))
        {
            CheckBinding(context, binding);
        }
    }

    private static void CheckRule(LintContext context, ManifestObject role, YamlMappingNode rule, string field)
    {
        var wildcards = new[] { "apiGroups", "resources", "verbs", "nonResourceURLs" }.Where(key => rule.Strings(key).Contains("*")).ToList();
        if (wildcards.Count > 0)
        {
            context.Report(LintChecks.RbacWildcard, role, field, $"'*' in {string.Join(", ", wildcards)}", rule);
        }

        if (ReadsSecrets(rule) && rule.Strings("resourceNames").Count == 0)
        {
            var verbs = string.Join(",", rule.Strings("verbs").Intersect(ReadVerbs));
            context.Report(LintChecks.RbacSecretRead, role, $"{field}.resourceNames", $"grants {verbs} on every Secret (no resourceNames)", rule);
        }
    }

    private static bool ReadsSecrets(YamlMappingNode rule) =>
        rule.Strings("apiGroups") is var groups && (groups.Contains(string.Empty) || groups.Contains("*"))
        && rule.Strings("resources") is var resources && (resources.Contains("secrets") || resources.Contains("*"))
        && rule.Strings("verbs").Intersect(ReadVerbs).Any();

    private static void CheckBinding(LintContext context, ManifestObject binding)
    {
        var roleRef = binding.Root.Mapping("roleRef");
        var (roleKind, roleName) = (roleRef.Scalar("kind") ?? "ClusterRole", roleRef.Scalar("name") ?? string.Empty);
        var role = context.OfKind(roleKind).FirstOrDefault(r => r.Name == roleName && (roleKind == "ClusterRole" || r.Namespace == binding.Namespace));
        var readsSecrets = role is null
            ? roleKind == "ClusterRole" && BuiltInSecretReaders.Contains(roleName)
            : role.Root.Items("rules").OfType<YamlMappingNode>().Any(ReadsSecrets);
        if (!readsSecrets)
        {
            return;
        }

        var subjects = binding.Root.Items("subjects");
        for (var i = 0; i < subjects.Count; i++)
        {
            if (subjects[i] is YamlMappingNode subject && subject.Scalar("kind") == "Group" && subject.Scalar("name") is { } group && BroadGroups.Contains(group))
            {
                context.Report(LintChecks.RbacBroadSecretBinding, binding, $"subjects[{i}]", $"binds secret-reading {roleKind} {roleName} to group {group}", subject);
            }
        }
    }
}
