using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Kubernetes;
using Coffer.Scanning.Linting;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Migration;

/// <summary>
/// Plans moving the literal secrets of one YAML manifest into Coffer: each Secret document with data becomes a
/// CofferSecret that rebuilds the same Secret from Coffer, and each literal secret in a container's env becomes a
/// <c>secretKeyRef</c> to a Secret that an appended CofferSecret builds. Only those spans of text change, so the
/// rest of the file keeps its formatting and comments.
/// </summary>
public static partial class ManifestMigration
{
    public const string CofferSecretApiVersion = "coffer.dev/v1alpha1";

    /// <exception cref="ManifestParseException">The text is not YAML, or too large, deep or alias-laden to read.</exception>
    /// <exception cref="MigrationException">A value cannot be moved whole (bad base64, an unnamed Secret, a key Coffer cannot hold).</exception>
    public static MigrationPlan Plan(string path, string text, MigrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stream = ManifestReader.Load(new ManifestSource(path, text));
        var work = new PlanBuilder(path, text, options);
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            var kind = root.Scalar("kind");
            if (kind == "Secret")
            {
                work.AddSecret(root);
            }
            else if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && root.Child("items") is not null)
            {
                // Rewriting one item of a List in place is not worth the risk; kubectl can print the objects as documents.
                work.RefuseListWithSecrets(root);
            }
            else
            {
                work.AddEnv(root);
            }
        }

        return work.Build();
    }

    /// <summary>The text a node covers, ending at its last character (never at a trailing newline or comment the parser counts in).</summary>
    private static int EndOf(YamlNode node, string text)
    {
        var end = node switch
        {
            YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow } mapping when mapping.Children.Count > 0 => EndOf(mapping.Children.Last().Value, text),
            YamlSequenceNode { Style: not YamlDotNet.Core.Events.SequenceStyle.Flow } sequence when sequence.Children.Count > 0 => EndOf(sequence.Children[^1], text),
            _ => (int)node.End.Index,
        };
        while (end > node.Start.Index && text[end - 1] is '\n' or '\r' or ' ' or '\t')
        {
            end--;
        }

        return end;
    }

    /// <summary>Plain when it is a DNS-style name or a known word-free token, otherwise a JSON string (valid YAML double-quoted).</summary>
    private static string Quote(string value) => PlainSafe().IsMatch(value) && !AmbiguousPlain().IsMatch(value) ? value : JsonSerializer.Serialize(value);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DataKey();

    [GeneratedRegex(@"^(true|false|yes|no|on|off|null|y|n|~)$|^[0-9.+-]", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AmbiguousPlain();

    private sealed class PlanBuilder(string path, string text, MigrationOptions options)
    {
        private readonly List<(int Start, int End, string Replacement)> edits = [];
        private readonly List<(int Start, int End)> masks = [];
        private readonly List<MigratedSecret> secrets = [];
        private readonly List<string> appended = [];
        private readonly LineDetector detector = new(options.RuleSet);
        private int replacements;

        public void AddSecret(YamlMappingNode root)
        {
            var metadata = root.Mapping("metadata");
            var type = root.Scalar("type") ?? "Opaque";
            if (type == "kubernetes.io/service-account-token")
            {
                // Kubernetes fills these in itself; there is nothing hardcoded to move, but a diff must not show it either.
                MaskValues(root);
                return;
            }

            var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (key, value, node) in Entries(root, "data"))
            {
                var bytes = new byte[value.Length];
                if (!Convert.TryFromBase64String(value.Trim(), bytes, out var written))
                {
                    throw new MigrationException($"{At(node)}: data.{key} is not valid base64, so it cannot be stored as it is; fix it or move it by hand");
                }

                data[key] = bytes[..written];
            }

            foreach (var (key, value, _) in Entries(root, "stringData"))
            {
                data[key] = Encoding.UTF8.GetBytes(value);
            }

            if (data.Count == 0)
            {
                return;
            }

            var name = metadata.Scalar("name") ?? throw new MigrationException($"{At(root)}: a Secret without metadata.name; name it first");
            var declaredNamespace = metadata.Scalar("namespace");
            var ns = declaredNamespace ?? options.DefaultNamespace;
            var cofferName = SecretNaming.Conventional(name, AppOf(metadata));
            Add(new MigratedSecret(ns, cofferName, type, data, $"Secret/{name}"), root);

            // Everything the Secret held goes, annotations too (last-applied-configuration repeats the data), so a diff shows none of it.
            MaskValues(root);

            // The whole object is replaced, so a comment after its last value goes with it rather than landing on the new last line.
            var end = EndOf(root, text);
            var lineEnd = text.AsSpan(end).IndexOfAny('\r', '\n');
            end = lineEnd < 0 ? text.Length : end + lineEnd;
            var start = (int)root.Start.Index;
            var replacement = CofferSecret(name, declaredNamespace, ns, cofferName, type, metadata.Mapping("labels"));
            // A document written on its `---` line (`--- {kind: Secret, ...}`) gets its block on the lines below.
            var lineStart = text.AsSpan(0, start).LastIndexOfAny('\r', '\n') + 1;
            edits.Add((start, end, text.AsSpan(lineStart, start - lineStart).IsWhiteSpace() ? replacement : "\n" + replacement));
            replacements++;
        }

        public void RefuseListWithSecrets(YamlMappingNode root)
        {
            foreach (var item in root.Items("items").OfType<YamlMappingNode>())
            {
                var holdsEnv = false;
                Walk(item, null, (_, _, envName, _, value) => holdsEnv |= IsSecret(envName, value.Value!));
                if ((item.Scalar("kind") == "Secret" && (item.Child("data") is not null || item.Child("stringData") is not null)) || holdsEnv)
                {
                    throw new MigrationException($"{At(root)}: a {root.Scalar("kind")} holds secrets in its items; print the objects as separate documents first (kubectl get ... -o yaml | kubectl-slice, or one file per object) and migrate those");
                }
            }
        }

        public void AddEnv(YamlMappingNode root)
        {
            var metadata = root.Mapping("metadata");
            var workload = metadata.Scalar("name");
            var found = new List<(YamlMappingNode Item, YamlScalarNode ValueKey, YamlScalarNode Value, string Key)>();
            var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            Walk(root, null, (container, item, envName, valueKey, value) =>
            {
                if (!IsSecret(envName, value.Value!))
                {
                    return;
                }

                // An anchored or aliased value is shared with another place, so rewriting it in one would break the other.
                if (!value.Anchor.IsEmpty || value.Start.Index < valueKey.End.Index)
                {
                    throw new MigrationException($"{At(valueKey)}: env {envName} takes its value through a YAML anchor or alias; move it by hand");
                }

                var key = envName;
                var bytes = Encoding.UTF8.GetBytes(value.Value!);
                if (data.TryGetValue(key, out var other) && !other.AsSpan().SequenceEqual(bytes))
                {
                    // The same variable in two containers with different values keeps both.
                    key = $"{container ?? "container"}.{envName}";
                }

                if (!DataKey().IsMatch(key))
                {
                    throw new MigrationException($"{At(value)}: env {envName} cannot be a Coffer key (letters, digits, '-', '_' and '.' only); rename it or move it by hand");
                }

                data[key] = bytes;
                found.Add((item, valueKey, value, key));
            });
            if (found.Count == 0)
            {
                return;
            }

            if (workload is null)
            {
                throw new MigrationException($"{At(root)}: a {root.Scalar("kind") ?? "document"} without metadata.name holds literal secrets in env; name it first");
            }

            var declaredNamespace = metadata.Scalar("namespace");
            var ns = declaredNamespace ?? options.DefaultNamespace;
            // The workload's own name keeps two workloads of one app apart (api and api-backup, both app=api).
            var cofferName = SecretNaming.Conventional($"{workload}-env", AppOf(metadata));
            Add(new MigratedSecret(ns, cofferName, "Opaque", data, $"{root.Scalar("kind")}/{workload} env"), root);
            foreach (var (item, valueKey, value, key) in found)
            {
                var pad = new string(' ', (int)valueKey.Start.Column - 1);
                var reference = item.Style == YamlDotNet.Core.Events.MappingStyle.Flow
                    ? $"valueFrom: {{secretKeyRef: {{name: {cofferName}, key: {QuoteKey(key)}}}}}"
                    : $"valueFrom:\n{pad}  secretKeyRef:\n{pad}    name: {cofferName}\n{pad}    key: {QuoteKey(key)}";
                edits.Add(((int)valueKey.Start.Index, EndOf(value, text), reference));
                masks.Add(((int)value.Start.Index, EndOf(value, text)));
                replacements++;
            }

            appended.Add(CofferSecret(cofferName, declaredNamespace, ns, cofferName, "Opaque", null));
        }

        public MigrationPlan Build()
        {
            // New lines follow the file's own line ends, so a CRLF file stays all CRLF.
            var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : text.Contains('\r', StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal) ? "\r" : "\n";
            string Lines(string yaml) => newline == "\n" ? yaml : yaml.Replace("\n", newline, StringComparison.Ordinal);
            var rewritten = Apply(text, edits.Select(e => (e.Start, e.End, (Func<string, string>)(_ => Lines(e.Replacement)))));
            if (appended.Count > 0)
            {
                var tail = new StringBuilder(rewritten);
                if (tail.Length > 0 && tail[^1] is not '\n' and not '\r')
                {
                    tail.Append(newline);
                }

                foreach (var document in appended)
                {
                    tail.Append("---").Append(newline).Append(Lines(document)).Append(newline);
                }

                rewritten = tail.ToString();
            }

            var masked = MaskFindings(Apply(text, masks.Select(m => (m.Start, m.End, (Func<string, string>)MaskLines))));
            return new MigrationPlan(path, text, rewritten, masked, new PlanBuilder(path, rewritten, options).Masked(), secrets, replacements);
        }

        /// <summary>This text with what a diff must not show masked: Secret documents' values, secret env values, and what the rules find.</summary>
        private string Masked()
        {
            try
            {
                foreach (var document in ManifestReader.Load(new ManifestSource(path, text)).Documents)
                {
                    if (document.RootNode is not YamlMappingNode root)
                    {
                        continue;
                    }

                    if (root.Scalar("kind") == "Secret")
                    {
                        MaskValues(root);
                    }

                    Walk(root, null, (_, _, envName, _, value) =>
                    {
                        if (IsSecret(envName, value.Value!))
                        {
                            masks.Add(((int)value.Start.Index, EndOf(value, text)));
                        }
                    });
                }
            }
            catch (ManifestParseException)
            {
                // Only the rules' findings are masked then.
            }

            return MaskFindings(Apply(text, masks.Select(m => (m.Start, m.End, (Func<string, string>)MaskLines))));
        }

        /// <summary>Two objects of one file must not land on one Coffer secret: the second would replace the first's values.</summary>
        private void Add(MigratedSecret secret, YamlNode at)
        {
            if (secrets.FirstOrDefault(s => s.Namespace == secret.Namespace && s.Name == secret.Name) is { } other)
            {
                throw new MigrationException($"{At(at)}: {secret.Origin} and {other.Origin} would both be stored as {secret.Namespace}/{secret.Name}; rename one of them");
            }

            secrets.Add(secret);
        }

        /// <summary>Masks every scalar of a Secret document but its apiVersion, kind, type, and metadata's name and namespace.</summary>
        private void MaskValues(YamlMappingNode root)
        {
            foreach (var (key, value) in root.Children)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (name is "apiVersion" or "kind" or "type")
                {
                    continue;
                }

                if (name == "metadata" && value is YamlMappingNode metadata)
                {
                    foreach (var (metadataKey, metadataValue) in metadata.Children)
                    {
                        if ((metadataKey as YamlScalarNode)?.Value is not ("name" or "namespace"))
                        {
                            MaskAll(metadataValue);
                        }
                    }

                    continue;
                }

                MaskAll(value);
            }
        }

        private void MaskAll(YamlNode node)
        {
            switch (node)
            {
                case YamlScalarNode scalar:
                    masks.Add(((int)scalar.Start.Index, EndOf(scalar, text)));
                    break;
                case YamlMappingNode mapping:
                    foreach (var value in mapping.Children.Values)
                    {
                        MaskAll(value);
                    }

                    break;
                case YamlSequenceNode sequence:
                    foreach (var child in sequence.Children)
                    {
                        MaskAll(child);
                    }

                    break;
            }
        }

        /// <summary>Whatever the rules still find in the masked text (a secret on a context line of the diff) is masked too.</summary>
        private string MaskFindings(string masked)
        {
            var result = new StringBuilder(masked.Length);
            var number = 0;
            foreach (var line in masked.Split('\n'))
            {
                var found = new List<Finding>();
                detector.Detect(path, ++number, line, found);
                var clean = line;
                foreach (var finding in found)
                {
                    clean = clean.Replace(finding.Secret, "****", StringComparison.Ordinal);
                }

                result.Append(clean).Append('\n');
            }

            return result.ToString(0, result.Length - 1);
        }

        private static string MaskLines(string span) => string.Join('\n', span.Split('\n').Select(l => l.Length == 0 ? l : "****"));

        private static string Apply(string original, IEnumerable<(int Start, int End, Func<string, string> Change)> changes)
        {
            var result = new StringBuilder(original);
            var last = int.MaxValue;
            foreach (var (start, end, change) in changes.OrderByDescending(c => c.Start))
            {
                if (end > last)
                {
                    continue; // Nested in a span already changed (a masked value inside a replaced Secret).
                }

                result.Remove(start, end - start).Insert(start, change(original[start..end]));
                last = start;
            }

            return result.ToString();
        }

        private string At(YamlNode node) => $"{path}:{node.Start.Line}:{node.Start.Column}";

        private IEnumerable<(string Key, string Value, YamlNode Node)> Entries(YamlMappingNode root, string field)
        {
            var mapping = root.Child(field);
            if (mapping is null or YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                yield break;
            }

            if (mapping is not YamlMappingNode map)
            {
                throw new MigrationException($"{At(mapping)}: {field} is not a mapping");
            }

            foreach (var (keyNode, valueNode) in map.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { } key } || valueNode is not YamlScalarNode { Value: { } value })
                {
                    throw new MigrationException($"{At(valueNode)}: {field} holds a value that is not a plain string");
                }

                masks.Add(((int)valueNode.Start.Index, EndOf(valueNode, text)));
                yield return (key, value, valueNode);
            }
        }

        private bool IsSecret(string envName, string value)
        {
            if (ManifestScanner.IsLiteralSecret(envName, value, options.RuleSet.Allowlist))
            {
                return true;
            }

            var found = new List<Finding>();
            foreach (var line in value.Split('\n'))
            {
                detector.Detect(path, 1, 0, line.TrimEnd('\r'), found);
            }

            return found.Count > 0;
        }

        private static string? AppOf(YamlMappingNode? metadata)
        {
            var labels = metadata.Mapping("labels");
            return labels.Scalar("app.kubernetes.io/name") ?? labels.Scalar("app") ?? labels.Scalar("app.kubernetes.io/part-of");
        }

        private static string QuoteKey(string key) => AmbiguousPlain().IsMatch(key) ? JsonSerializer.Serialize(key) : key;

        /// <summary>Walks to every env list; the callback gets the container's name, the item, the variable and its value node.</summary>
        private static void Walk(YamlNode node, string? container, Action<string?, YamlMappingNode, string, YamlScalarNode, YamlScalarNode> found)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    var name = mapping.Scalar("name") ?? container;
                    foreach (var (key, value) in mapping.Children)
                    {
                        if (key is YamlScalarNode { Value: "env" } && value is YamlSequenceNode env)
                        {
                            foreach (var item in env.Children.OfType<YamlMappingNode>())
                            {
                                var valueKey = item.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "value");
                                if (item.Scalar("name") is { } envName && valueKey is not null && item.Children[valueKey] is YamlScalarNode { Value: not null } envValue)
                                {
                                    found(name, item, envName, valueKey, envValue);
                                }
                            }
                        }
                        else
                        {
                            Walk(value, name, found);
                        }
                    }

                    break;
                case YamlSequenceNode sequence:
                    foreach (var child in sequence.Children)
                    {
                        Walk(child, container, found);
                    }

                    break;
            }
        }

        private static string CofferSecret(string name, string? declaredNamespace, string ns, string cofferName, string type, YamlMappingNode? labels)
        {
            var yaml = new StringBuilder();
            yaml.Append("apiVersion: ").Append(CofferSecretApiVersion).Append('\n');
            yaml.Append("kind: CofferSecret\n");
            yaml.Append("metadata:\n  name: ").Append(Quote(name)).Append('\n');
            if (declaredNamespace is not null)
            {
                yaml.Append("  namespace: ").Append(Quote(declaredNamespace)).Append('\n');
            }

            var pairs = labels?.Children.Where(p => p.Key is YamlScalarNode { Value: not null } && p.Value is YamlScalarNode { Value: not null }).ToList() ?? [];
            if (pairs.Count > 0)
            {
                yaml.Append("  labels:\n");
                foreach (var (key, value) in pairs)
                {
                    yaml.Append("    ").Append(Quote(((YamlScalarNode)key).Value!)).Append(": ").Append(Quote(((YamlScalarNode)value).Value!)).Append('\n');
                }
            }

            yaml.Append("spec:\n  source:\n    namespace: ").Append(Quote(ns)).Append("\n    name: ").Append(Quote(cofferName)).Append('\n');
            yaml.Append("  target:\n    name: ").Append(Quote(name));
            if (type != "Opaque")
            {
                yaml.Append("\n    type: ").Append(Quote(type));
            }

            return yaml.ToString();
        }
    }
}
