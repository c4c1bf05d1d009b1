using Coffer.Kubernetes.Operator;
using k8s.Models;

namespace Coffer.Kubernetes.Reload;

/// <summary>Whether a workload needs a rolling restart, and the annotation value that starts it. Pure.</summary>
internal static class ReloadDecision
{
    /// <param name="hashes">Data hash per Secret name in the workload's namespace; Secrets absent here are left out.</param>
    /// <param name="changed">The Secrets whose data changed; a workload that uses none of them is left alone (null: any).</param>
    /// <param name="initial">The hashes come from a first listing, not a change: a workload never restarted by Coffer is left alone.</param>
    /// <returns>The new pod-template annotation value, or null when the workload is not opted in, uses none of them, or is already at that hash.</returns>
    public static string? NewHash(V1ObjectMeta metadata, V1PodTemplateSpec? template, IReadOnlyDictionary<string, string> hashes, SecretDataHash hasher, bool initial = false, IReadOnlySet<string>? changed = null)
    {
        if (metadata.Annotations?.TryGetValue(ReloadAnnotations.OptIn, out var optIn) != true || !string.Equals(optIn, "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var used = PodTemplateSecrets.Find(template?.Spec);
        if (changed is not null && !used.Overlaps(changed))
        {
            return null;
        }

        var parts = used.Where(hashes.ContainsKey).Select(name => (name, hashes[name])).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var combined = hasher.Combine(parts);
        var current = template?.Metadata?.Annotations?.TryGetValue(ReloadAnnotations.SecretHash, out var value) == true ? value : null;
        return current == combined || (initial && current is null) ? null : combined;
    }
}
