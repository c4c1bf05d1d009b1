using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Checks on how the cluster guards Secrets: network isolation, encryption at rest and audit logging.</summary>
internal static class ClusterConfigChecks
{
    private static readonly string[] WeakProviders = ["identity", "aescbc"];

    private static readonly string[] LoggedLevels = ["Metadata", "Request", "RequestResponse"];

    public static void Run(LintContext context)
    {
        CheckNetworkPolicies(context);
        foreach (var configuration in context.OfKind("EncryptionConfiguration"))
        {
            CheckEncryption(context, configuration);
        }

        foreach (var policy in context.OfKind("Policy").Where(p => p.ApiVersion.StartsWith("audit.k8s.io/", StringComparison.Ordinal)))
        {
            CheckAuditPolicy(context, policy);
        }
    }

    private static void CheckNetworkPolicies(LintContext context)
    {
        var isolated = context.OfKind("NetworkPolicy").Select(p => p.Namespace).ToHashSet(StringComparer.Ordinal);
        foreach (var secret in context.OfKind("Secret").Where(s => !isolated.Contains(s.Namespace)).DistinctBy(s => s.Namespace))
        {
            context.Report(LintChecks.NamespaceWithoutNetworkPolicy, secret, "metadata.namespace",
                $"namespace {secret.Namespace} holds Secrets but the input has no NetworkPolicy for it", secret.Root.Mapping("metadata").Child("namespace"));
        }
    }

    private static void CheckEncryption(LintContext context, ManifestObject configuration)
    {
        var entries = configuration.Root.Items("resources");
        var coversSecrets = false;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] as YamlMappingNode;
            if (!entry.Strings("resources").Any(r => r is "secrets" or "*.*" or "*."))
            {
                continue;
            }

            coversSecrets = true;
            var first = entry.Items("providers").FirstOrDefault() as YamlMappingNode;
            var provider = first?.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault()?.Value;
            if (provider is null || WeakProviders.Contains(provider))
            {
                context.Report(LintChecks.EncryptionWeakProvider, configuration, $"resources[{i}].providers[0]",
                    $"first provider for secrets is {provider ?? "missing"}, so new Secrets are written {(provider == "aescbc" ? "with aescbc (padding-oracle prone, key in a file)" : "unencrypted")}", first ?? entry);
            }
        }

        if (!coversSecrets)
        {
            context.Report(LintChecks.EncryptionWeakProvider, configuration, "resources", "no entry covers secrets, so they are stored unencrypted", configuration.Root.Child("resources"));
        }
    }

    /// <summary>The first rule that matches a request decides its level, so rules are walked in order like the API server does.</summary>
    private static void CheckAuditPolicy(LintContext context, ManifestObject policy)
    {
        var rules = policy.Root.Items("rules");
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is not YamlMappingNode rule || !MatchesSecrets(rule))
            {
                continue;
            }

            var level = rule.Scalar("level") ?? "None";
            if (level is "Request" or "RequestResponse")
            {
                // Request bodies of secrets are the secret values; even a rule limited to some verbs or users writes them to the log.
                context.Report(LintChecks.AuditSecretBodiesLogged, policy, $"rules[{i}].level", $"level {level} writes secret values into the audit log", rule.Child("level") ?? rule);
            }

            if (!LoggedLevels.Contains(level))
            {
                context.Report(LintChecks.AuditSecretsNotLogged, policy, $"rules[{i}].level", $"level {level} drops requests for secrets", rule.Child("level") ?? rule);
                return;
            }

            // A rule limited to some users or verbs leaves the rest to later rules.
            if (!new[] { "users", "userGroups", "verbs", "namespaces" }.Any(key => rule.Items(key).Count > 0))
            {
                return;
            }
        }

        context.Report(LintChecks.AuditSecretsNotLogged, policy, "rules", "no rule logs requests for secrets at Metadata or above", policy.Root.Child("rules"));
    }

    private static bool MatchesSecrets(YamlMappingNode rule)
    {
        if (rule.Items("nonResourceURLs").Count > 0 && rule.Child("resources") is null)
        {
            return false;
        }

        var groups = rule.Items("resources").OfType<YamlMappingNode>().ToList();
        return groups.Count == 0 || groups.Any(g => (g.Scalar("group") ?? string.Empty) is "" or "*" && g.Strings("resources") is var names && (names.Count == 0 || names.Contains("secrets") || names.Contains("*")));
    }
}
