using Coffer.Scanning.Kubernetes;
using Coffer.Scanning.Rules;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Checks on pod specs, including the pod templates of workload controllers.</summary>
internal static class PodChecks
{
    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];

    public static void Run(LintContext context)
    {
        foreach (var subject in context.Objects)
        {
            if (PodSpec(subject) is not var (spec, specPath))
            {
                continue;
            }

            CheckContainers(context, subject, spec, specPath);
            CheckServiceAccount(context, subject, spec, specPath);
        }
    }

    private static (YamlMappingNode Spec, string Path)? PodSpec(ManifestObject subject)
    {
        var spec = subject.Root.Mapping("spec");
        return subject.Kind switch
        {
            "Pod" when spec is not null => (spec, "spec"),
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" when spec.Mapping("template").Mapping("spec") is { } pod => (pod, "spec.template.spec"),
            "CronJob" when spec.Mapping("jobTemplate").Mapping("spec").Mapping("template").Mapping("spec") is { } pod => (pod, "spec.jobTemplate.spec.template.spec"),
            _ => null,
        };
    }

    private static void CheckContainers(LintContext context, ManifestObject subject, YamlMappingNode spec, string specPath)
    {
        foreach (var list in ContainerLists)
        {
            var containers = spec.Items(list);
            for (var c = 0; c < containers.Count; c++)
            {
                if (containers[c] is not YamlMappingNode container)
                {
                    continue;
                }

                var containerPath = $"{specPath}.{list}[{c}]";
                var env = container.Items("env");
                for (var e = 0; e < env.Count; e++)
                {
                    CheckEnv(context, subject, env[e] as YamlMappingNode, $"{containerPath}.env[{e}]");
                }

                var envFrom = container.Items("envFrom");
                for (var e = 0; e < envFrom.Count; e++)
                {
                    if ((envFrom[e] as YamlMappingNode).Mapping("secretRef") is { } secretRef)
                    {
                        context.Report(LintChecks.EnvSecretRef, subject, $"{containerPath}.envFrom[{e}].secretRef",
                            $"every key of Secret {secretRef.Scalar("name") ?? "(unnamed)"} is exposed as an environment variable", secretRef);
                    }
                }
            }
        }
    }

    private static void CheckEnv(LintContext context, ManifestObject subject, YamlMappingNode? variable, string field)
    {
        var name = variable.Scalar("name") ?? "(unnamed)";
        if (variable.Mapping("valueFrom").Mapping("secretKeyRef") is { } keyRef)
        {
            context.Report(LintChecks.EnvSecretRef, subject, $"{field}.valueFrom.secretKeyRef",
                $"key {keyRef.Scalar("key") ?? "(none)"} of Secret {keyRef.Scalar("name") ?? "(unnamed)"} is exposed as environment variable {name}", keyRef);
        }
        else if (variable.Child("value") is YamlScalarNode { Value: { } value } valueNode && ManifestScanner.IsLiteralSecret(name, value, Allowlist.Empty))
        {
            // The message names the variable, never its value.
            context.Report(LintChecks.EnvLiteralSecret, subject, $"{field}.value", $"environment variable {name} holds a literal secret", valueNode);
        }
    }

    private static void CheckServiceAccount(LintContext context, ManifestObject subject, YamlMappingNode spec, string specPath)
    {
        var accountName = spec.Scalar("serviceAccountName") ?? spec.Scalar("serviceAccount") ?? "default";
        if (accountName == "default")
        {
            context.Report(LintChecks.PodDefaultServiceAccount, subject, $"{specPath}.serviceAccountName", "runs as the default service account", spec.Child("serviceAccountName") ?? spec);
        }

        // The pod's own setting wins over its service account's, which wins over Kubernetes' default of mounting.
        var account = context.OfKind("ServiceAccount").FirstOrDefault(a => a.Name == accountName && a.Namespace == subject.Namespace);
        var automount = spec.Scalar("automountServiceAccountToken") ?? account?.Root.Scalar("automountServiceAccountToken");
        if (!string.Equals(automount, "false", StringComparison.OrdinalIgnoreCase))
        {
            var source = spec.Child("automountServiceAccountToken") is null && account is not null ? $" (service account {accountName} does not turn it off)" : string.Empty;
            context.Report(LintChecks.PodAutomountToken, subject, $"{specPath}.automountServiceAccountToken",
                $"a service account token is mounted automatically{source}", spec.Child("automountServiceAccountToken") ?? spec);
        }
    }
}
