using k8s.Models;

namespace Coffer.Kubernetes.Reload;

/// <summary>The Secrets a pod template uses: env, envFrom, secret volumes and projected volumes, in init containers too.</summary>
internal static class PodTemplateSecrets
{
    public static SortedSet<string> Find(V1PodSpec? spec)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (spec is null)
        {
            return names;
        }

        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                Add(names, env.ValueFrom?.SecretKeyRef?.Name);
            }

            foreach (var source in container.EnvFrom ?? [])
            {
                Add(names, source.SecretRef?.Name);
            }
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            Add(names, volume.Secret?.SecretName);
            foreach (var projection in volume.Projected?.Sources ?? [])
            {
                Add(names, projection.Secret?.Name);
            }
        }

        return names;
    }

    private static void Add(SortedSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }
}
