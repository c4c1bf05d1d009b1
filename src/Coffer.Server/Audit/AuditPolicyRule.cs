namespace Coffer.Server.Audit;

/// <summary>One rule of an audit policy; an empty list matches anything, as in Kubernetes.</summary>
public sealed record AuditPolicyRule(
    AuditLevel Level,
    IReadOnlyList<string> Users,
    IReadOnlyList<string> UserGroups,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Namespaces);
