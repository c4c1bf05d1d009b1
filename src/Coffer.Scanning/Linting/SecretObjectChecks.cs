using Coffer.Scanning.Detection;
using Coffer.Scanning.Kubernetes;
using Coffer.Scanning.Rules;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Checks on the objects that hold secrets: Secrets themselves, and ConfigMaps that should have been Secrets.</summary>
internal static class SecretObjectChecks
{
    public static void Run(LintContext context)
    {
        var detector = new LineDetector(RuleSet.Default);
        foreach (var configMap in context.OfKind("ConfigMap"))
        {
            CheckConfigMap(context, configMap, detector);
        }

        foreach (var secret in context.OfKind("Secret"))
        {
            CheckSecret(context, secret);
        }
    }

    private static void CheckConfigMap(LintContext context, ManifestObject configMap, LineDetector detector)
    {
        foreach (var (keyNode, valueNode) in configMap.Root.Mapping("data")?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || valueNode is not YamlScalarNode { Value: { } value })
            {
                continue;
            }

            // The scan's detectors judge the value, so lint and scan agree on what a secret looks like.
            var detected = new List<Finding>();
            foreach (var line in value.Split('\n'))
            {
                detector.Detect(configMap.Path, 1, 0, line.TrimEnd('\r'), detected);
            }

            if (ManifestScanner.IsLiteralSecret(key, value, Allowlist.Empty) || detected.Count > 0)
            {
                var why = detected.Count > 0 ? $"value looks like a {detected[0].Description}" : "key names a secret and holds a literal value";
                context.Report(LintChecks.ConfigMapSecret, configMap, $"data.{key}", why, valueNode);
            }
        }
    }

    private static void CheckSecret(LintContext context, ManifestObject secret)
    {
        var metadata = secret.Root.Mapping("metadata");
        var labels = metadata.Mapping("labels");
        if (labels.Scalar(LintChecks.OwnerLabel) is null && labels.Scalar(LintChecks.ShortOwnerLabel) is null)
        {
            context.Report(LintChecks.SecretOwnerLabel, secret, "metadata.labels", $"no {LintChecks.OwnerLabel} or {LintChecks.ShortOwnerLabel} label", metadata);
        }

        if (metadata.Mapping("annotations").Scalar(LintChecks.RotationAnnotation) is null)
        {
            context.Report(LintChecks.SecretRotationAnnotation, secret, "metadata.annotations", $"no {LintChecks.RotationAnnotation} annotation", metadata);
        }

        if (!context.Options.SecretNamePattern.IsMatch(secret.Name))
        {
            context.Report(LintChecks.SecretNameConvention, secret, "metadata.name", $"name {secret.Name} does not match {context.Options.SecretNamePattern}", metadata.Child("name"));
        }
    }
}
