using System.Text;
using System.Text.RegularExpressions;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Kubernetes;

/// <summary>What a line scan cannot see in Kubernetes YAML: base64 <c>data:</c> of Secrets, and literal secrets in container <c>env</c>.</summary>
public static partial class ManifestScanner
{
    public const string EnvRuleId = "kubernetes-env-literal-secret";

    /// <summary>Cheap check, so only text that can hold a Secret or an env list is parsed as YAML.</summary>
    public static bool IsInteresting(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var trimmed = line.Trim();
            if ((trimmed.StartsWith("kind:", StringComparison.Ordinal) && trimmed.EndsWith("Secret", StringComparison.Ordinal)) || trimmed.StartsWith("env:", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds findings from every YAML document in <paramref name="text"/>; text that is not YAML adds none.</summary>
    public static void Scan(string path, string text, LineDetector detector, List<Finding> findings)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return;
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            if (Scalar(root, "kind") == "Secret" && Child(root, "data") is YamlMappingNode data)
            {
                ScanSecretData(path, data, detector, findings);
            }

            ScanEnv(path, root, detector, findings);
        }
    }

    private static void ScanSecretData(string path, YamlMappingNode data, LineDetector detector, List<Finding> findings)
    {
        foreach (var (keyNode, valueNode) in data.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || valueNode is not YamlScalarNode { Value: { } encoded })
            {
                continue;
            }

            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                continue;
            }

            var line = (int)valueNode.Start.Line;
            var column = (int)valueNode.Start.Column;
            var lines = decoded.Split('\n');
            var before = findings.Count;
            foreach (var decodedLine in lines)
            {
                detector.Detect(path, line, column, decodedLine.TrimEnd('\r'), findings);
            }

            // A one-line value gets its key as context, so `password: <base64>` is judged like `password = "..."`.
            if (findings.Count == before && lines.Length == 1)
            {
                detector.Detect(path, line, column, $"{key}: \"{decoded}\"", findings);
            }

            // The decoded finding says more than the line scan's hit on the base64 text, so that one goes.
            if (findings.Count > before)
            {
                findings.RemoveAll(f => f.Line == line && f.Secret == encoded);
            }
        }
    }

    private static void ScanEnv(string path, YamlNode node, LineDetector detector, List<Finding> findings)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: "env" } && value is YamlSequenceNode env)
                    {
                        ScanEnvList(path, env, detector, findings);
                    }

                    ScanEnv(path, value, detector, findings);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    ScanEnv(path, child, detector, findings);
                }

                break;
        }
    }

    private static void ScanEnvList(string path, YamlSequenceNode env, LineDetector detector, List<Finding> findings)
    {
        foreach (var item in env.Children.OfType<YamlMappingNode>())
        {
            if (Scalar(item, "name") is not { } name || Child(item, "value") is not YamlScalarNode { Value: { } value } valueNode)
            {
                continue;
            }

            var line = (int)valueNode.Start.Line;
            if (!IsLiteralSecret(name, value, detector.RuleSet.Allowlist) || findings.Any(f => f.Path == path && f.Line == line))
            {
                continue;
            }

            findings.Add(new Finding(EnvRuleId, "Literal secret in a container env value (use valueFrom.secretKeyRef)", path, line, (int)valueNode.Start.Column, value));
        }
    }

    /// <summary>True when <paramref name="name"/> says secret and <paramref name="value"/> is a real literal, not a placeholder or a <c>$(VAR)</c> reference; <c>coffer lint</c> judges env values and ConfigMap entries the same way.</summary>
    internal static bool IsLiteralSecret(string name, string value, Allowlist allowlist) =>
        value.Length >= 6 && SecretName().IsMatch(name) && !PointerName().IsMatch(name) && !Placeholders.IsPlaceholder(value) && !value.StartsWith("$(", StringComparison.Ordinal) && !allowlist.AllowsSecret(value);

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode mapping, string key) => (Child(mapping, key) as YamlScalarNode)?.Value;

    // Literal alternatives and a $ anchor, no unbounded repetition: source-generated code is linear here and needs no building at run time.
    [GeneratedRegex(@"(?i)passw(or)?d|passwd|pwd|secret|token|api_?key|apikey|private_?key|credential|auth", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary><c>DB_PASSWORD_FILE=/run/secrets/db</c> says where the secret is, which is the practice we ask for.</summary>
    [GeneratedRegex(@"(?i)[_.-](file|path|dir|mount)$", RegexOptions.CultureInvariant)]
    private static partial Regex PointerName();
}
