namespace Coffer.Core.Access;

/// <summary>A Kubernetes RBAC rule: it allows every combination of its verbs on its resources; empty <paramref name="ResourceNames"/> means any name.</summary>
public sealed record PolicyRule(IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs, IReadOnlyList<string> ResourceNames);
