using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Turns YAML or JSON text into Kubernetes objects, refusing input that would cost more to read than any real manifest.</summary>
internal static class ManifestReader
{
    /// <summary>Rendered charts of a whole platform stay well under this; anything larger is refused rather than read into memory.</summary>
    public const int MaxChars = 10 * 1024 * 1024;

    /// <summary>Real manifests nest a dozen levels; the limit keeps the recursive loader far from the stack's end.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes of one document with every alias expanded; a billion-laughs bomb passes this long before it expands.</summary>
    public const long MaxExpandedNodes = 1_000_000;

    public static IReadOnlyList<ManifestObject> Read(ManifestSource source)
    {
        var objects = new List<ManifestObject>();
        foreach (var document in Load(source).Documents)
        {
            if (document.RootNode is YamlMappingNode root)
            {
                AddObject(source.Path, root, objects);
            }
        }

        return objects;
    }

    private static void AddObject(string path, YamlMappingNode root, List<ManifestObject> objects)
    {
        var kind = root.Scalar("kind");
        if (kind is null)
        {
            return;
        }

        // `kubectl get -o yaml` wraps objects in a List.
        if (kind == "List" || kind.EndsWith("List", StringComparison.Ordinal))
        {
            foreach (var item in root.Items("items").OfType<YamlMappingNode>())
            {
                AddObject(path, item, objects);
            }

            return;
        }

        var metadata = root.Mapping("metadata");
        objects.Add(new ManifestObject(path, root.Scalar("apiVersion") ?? string.Empty, kind, metadata.Scalar("name") ?? "(unnamed)", metadata.Scalar("namespace"), root));
    }

    /// <summary>Parses every document, refusing text that is too large, too deep or an alias bomb before building the tree.</summary>
    /// <exception cref="ManifestParseException">The text is not YAML or breaks a bound; the message names file and line.</exception>
    public static YamlStream Load(ManifestSource source)
    {
        if (source.Text.Length > MaxChars)
        {
            throw new ManifestParseException($"{source.Path}: larger than {MaxChars / (1024 * 1024)} MiB; split the manifests into smaller files");
        }

        var stream = new YamlStream();
        try
        {
            CheckBounds(source);
            stream.Load(new StringReader(source.Text));
        }
        catch (YamlException e)
        {
            throw new ManifestParseException($"{source.Path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}", e);
        }

        return stream;
    }

    /// <summary>Walks the parser's events once, sizing every anchor, so depth and alias expansion are judged before any tree is built.</summary>
    private static void CheckBounds(ManifestSource source)
    {
        var parser = new Parser(new StringReader(source.Text));
        var anchorSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new List<(string? Anchor, long Size)>();
        long documentSize = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    documentSize = 0;
                    break;
                case Scalar scalar:
                    Remember(scalar.Anchor, 1);
                    Add(1, scalar.Start);
                    break;
                case AnchorAlias alias:
                    Add(anchorSizes.TryGetValue(alias.Value.Value, out var size) ? size : 1, alias.Start);
                    break;
                case NodeEvent { } start when start is SequenceStart or MappingStart:
                    open.Add((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                    if (open.Count > MaxDepth)
                    {
                        throw new ManifestParseException($"{source.Path}:{start.Start.Line}:{start.Start.Column}: nested deeper than {MaxDepth} levels");
                    }

                    break;
                case SequenceEnd or MappingEnd:
                    var (anchor, nodeSize) = open[^1];
                    open.RemoveAt(open.Count - 1);
                    if (anchor is not null)
                    {
                        anchorSizes[anchor] = nodeSize;
                    }

                    Add(nodeSize, parser.Current.Start);
                    break;
            }
        }

        void Remember(AnchorName anchor, long size)
        {
            if (!anchor.IsEmpty)
            {
                anchorSizes[anchor.Value] = size;
            }
        }

        void Add(long size, Mark at)
        {
            if (open.Count > 0)
            {
                open[^1] = (open[^1].Anchor, open[^1].Size + size);
            }
            else
            {
                documentSize += size;
            }

            if (size > MaxExpandedNodes || documentSize > MaxExpandedNodes || (open.Count > 0 && open[^1].Size > MaxExpandedNodes))
            {
                throw new ManifestParseException($"{source.Path}:{at.Line}:{at.Column}: aliases expand the document to more than {MaxExpandedNodes} nodes (a YAML alias bomb?)");
            }
        }
    }
}
