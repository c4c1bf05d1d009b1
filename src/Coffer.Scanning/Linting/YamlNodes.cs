using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Linting;

/// <summary>Null-tolerant lookups, since manifests leave most fields out.</summary>
internal static class YamlNodes
{
    public static YamlNode? Child(this YamlMappingNode? mapping, string key) =>
        mapping is not null && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode? Mapping(this YamlMappingNode? mapping, string key) => mapping.Child(key) as YamlMappingNode;

    public static string? Scalar(this YamlMappingNode? mapping, string key) => (mapping.Child(key) as YamlScalarNode)?.Value;

    /// <summary>The items of a sequence field; empty when it is missing or not a sequence.</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlMappingNode? mapping, string key) =>
        mapping.Child(key) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    public static IReadOnlyList<string> Strings(this YamlMappingNode? mapping, string key) =>
        [.. mapping.Items(key).OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty)];
}
