using Coffer.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Coffer.Server.Access;

/// <summary>
/// Reads a YAML stream into plain trees, refusing what a manifest never needs and an attacker would use:
/// anchors and aliases (exponential expansion), deep nesting, duplicate keys, too many documents.
/// </summary>
internal static class ManifestYamlReader
{
    public const int MaxDocuments = 1000;
    public const int MaxDepth = 16;

    private const string Reason = "InvalidManifest";

    /// <summary>Every document's root in order; an empty document is a null entry, so positions match the file.</summary>
    public static IReadOnlyList<ManifestNode?> Read(string yaml)
    {
        var documents = new List<ManifestNode?>();
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                if (documents.Count == MaxDocuments)
                {
                    throw CofferException.Invalid(Reason, $"the manifest has more than {MaxDocuments} documents", "documents");
                }

                var root = ReadNode(parser, 1, documents.Count);
                parser.Consume<DocumentEnd>();
                documents.Add(root is ManifestScalar { IsNull: true } ? null : root);
            }
        }
        catch (YamlException error)
        {
            // The parser's message can quote the input, so only the position is passed on.
            throw CofferException.Invalid(
                Reason,
                $"document {documents.Count + 1}: the YAML is malformed at line {error.Start.Line}, column {error.Start.Column}",
                $"documents[{documents.Count}]");
        }

        catch (Exception error) when (error is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input instead of a YamlException; it has no position to report.
            throw CofferException.Invalid(Reason, $"document {documents.Count + 1}: the YAML is malformed", $"documents[{documents.Count}]");
        }

        return documents;
    }

    private static ManifestNode ReadNode(IParser parser, int depth, int document)
    {
        var current = parser.Current ?? throw Fail(document, "the YAML stream ended early", 0);
        var line = current.Start.Line;
        if (current is AnchorAlias)
        {
            throw Fail(document, "YAML aliases (*name) are not allowed", line);
        }

        if (current is NodeEvent { Anchor.IsEmpty: false })
        {
            throw Fail(document, "YAML anchors (&name) are not allowed", line);
        }

        if (depth > MaxDepth)
        {
            throw Fail(document, $"the YAML is nested more than {MaxDepth} levels deep", line);
        }

        parser.MoveNext();
        switch (current)
        {
            case Scalar scalar:
                return new ManifestScalar(line, scalar.Value, scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL");
            case SequenceStart:
                var items = new List<ManifestNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, depth + 1, document));
                }

                return new ManifestList(line, items);
            case MappingStart:
                var entries = new List<KeyValuePair<string, ManifestNode>>();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, depth + 1, document);
                    if (key is not ManifestScalar { IsNull: false } scalarKey)
                    {
                        throw Fail(document, "a mapping key must be a plain string", key.Line);
                    }

                    if (!keys.Add(scalarKey.Value))
                    {
                        throw Fail(document, $"key {scalarKey.Value} appears twice in one mapping", key.Line);
                    }

                    entries.Add(new(scalarKey.Value, ReadNode(parser, depth + 1, document)));
                }

                return new ManifestMap(line, entries);
            default:
                throw Fail(document, "unexpected YAML content", line);
        }
    }

    private static CofferException Fail(int document, string problem, long line) =>
        CofferException.Invalid(Reason, $"document {document + 1}: {problem} (line {line})", $"documents[{document}]");
}
