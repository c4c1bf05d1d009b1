using Coffer.Core.Errors;
using Coffer.Server.Access;

namespace Coffer.Server.Audit;

/// <summary>
/// Chooses each request's audit level: the first matching rule wins, as in Kubernetes' audit Policy
/// (<c>audit.k8s.io/v1</c>, <c>kind: Policy</c>). With no rule matching, <see cref="AuditLevel.Metadata"/>: a secrets
/// manager records every request unless told otherwise.
/// </summary>
public sealed record AuditPolicy(IReadOnlyList<AuditPolicyRule> Rules)
{
    public const int MaxBytes = 256 * 1024;
    private const string Reason = "InvalidAuditPolicy";
    private static readonly string[] RuleFields = ["level", "users", "userGroups", "verbs", "resources", "namespaces", "omitStages"];

    public static AuditPolicy Default { get; } = new([]);

    public AuditLevel LevelFor(string? user, IReadOnlyList<string>? groups, string? verb, string? resource, string? @namespace)
    {
        foreach (var rule in Rules)
        {
            if (Matches(rule.Users, user)
                && (rule.UserGroups.Count == 0 || (groups is not null && groups.Any(g => rule.UserGroups.Contains(g, StringComparer.Ordinal))))
                && Matches(rule.Verbs, verb)
                && Matches(rule.Resources, resource)
                && Matches(rule.Namespaces, @namespace))
            {
                return rule.Level;
            }
        }

        return AuditLevel.Metadata;
    }

    /// <summary>Parses a policy file; every problem is a 400-style error naming the rule and field.</summary>
    public static AuditPolicy Parse(string yaml)
    {
        if (yaml.Length > MaxBytes)
        {
            throw CofferException.Invalid(Reason, $"the audit policy is larger than {MaxBytes} characters", "audit-policy");
        }

        var documents = ManifestYamlReader.Read(yaml).Where(d => d is not null).ToList();
        if (documents.Count != 1 || documents[0] is not ManifestMap root)
        {
            throw CofferException.Invalid(Reason, "the audit policy must be one YAML document holding a mapping", "audit-policy");
        }

        if (Text(root.Get("apiVersion"), "apiVersion") is not ("audit.k8s.io/v1" or "coffer.dev/v1") || Text(root.Get("kind"), "kind") != "Policy")
        {
            throw CofferException.Invalid(Reason, "the audit policy must have apiVersion audit.k8s.io/v1 and kind Policy", "apiVersion");
        }

        if (root.Get("rules") is not ManifestList list)
        {
            throw CofferException.Invalid(Reason, "rules must be a list", "rules");
        }

        var rules = new List<AuditPolicyRule>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var at = $"rules[{i}]";
            if (list.Items[i] is not ManifestMap rule)
            {
                throw CofferException.Invalid(Reason, $"{at} must be a mapping", at);
            }

            if (rule.Entries.FirstOrDefault(e => !RuleFields.Contains(e.Key, StringComparer.Ordinal)) is { Key: { } unknown })
            {
                throw CofferException.Invalid(Reason, $"{at}.{unknown} is not a field of an audit policy rule (known: {string.Join(", ", RuleFields)})", $"{at}.{unknown}");
            }

            var levelText = Text(rule.Get("level"), $"{at}.level") ?? throw CofferException.Invalid(Reason, $"{at}.level is required", $"{at}.level");
            // Only the exact names: Enum.TryParse would also take numbers and comma-joined names ("Metadata, Request").
            if (!Enum.GetNames<AuditLevel>().Contains(levelText, StringComparer.Ordinal) || !Enum.TryParse<AuditLevel>(levelText, ignoreCase: false, out var level))
            {
                throw CofferException.Invalid(Reason, $"{at}.level must be None, Metadata, Request or RequestResponse", $"{at}.level");
            }

            rules.Add(new AuditPolicyRule(
                level,
                Strings(rule.Get("users"), $"{at}.users"),
                Strings(rule.Get("userGroups"), $"{at}.userGroups"),
                Strings(rule.Get("verbs"), $"{at}.verbs"),
                Resources(rule.Get("resources"), $"{at}.resources"),
                Strings(rule.Get("namespaces"), $"{at}.namespaces")));
        }

        return new AuditPolicy(rules);
    }

    private static bool Matches(IReadOnlyList<string> allowed, string? value) =>
        allowed.Count == 0 || (value is not null && allowed.Any(a => a == "*" || a == value));

    private static string? Text(ManifestNode? node, string field) => node switch
    {
        null => null,
        ManifestScalar scalar => scalar.Value,
        _ => throw CofferException.Invalid(Reason, $"{field} must be a string", field),
    };

    private static List<string> Strings(ManifestNode? node, string field) => node switch
    {
        null => [],
        ManifestList list => list.Items.Select((item, i) => Text(item, $"{field}[{i}]") ?? throw CofferException.Invalid(Reason, $"{field}[{i}] must not be null", $"{field}[{i}]")).ToList(),
        _ => throw CofferException.Invalid(Reason, $"{field} must be a list of strings", field),
    };

    /// <summary>Kubernetes' shape: <c>resources: [{group: "", resources: [secrets]}]</c>; plain strings are accepted too.</summary>
    private static List<string> Resources(ManifestNode? node, string field)
    {
        if (node is not ManifestList list)
        {
            return node is null ? [] : throw CofferException.Invalid(Reason, $"{field} must be a list", field);
        }

        var resources = new List<string>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            resources.AddRange(list.Items[i] switch
            {
                ManifestScalar scalar => [scalar.Value],
                ManifestMap map => Strings(map.Get("resources"), $"{field}[{i}].resources"),
                _ => throw CofferException.Invalid(Reason, $"{field}[{i}] must be a resource name or a group with resources", $"{field}[{i}]"),
            });
        }

        return resources;
    }
}
