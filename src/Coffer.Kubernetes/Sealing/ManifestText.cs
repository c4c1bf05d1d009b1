using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Coffer.Kubernetes.Sealing;

/// <summary>One Kubernetes object read from YAML or JSON into a <see cref="JsonObject"/>, and written back in either.</summary>
public static partial class ManifestText
{
    /// <summary>A Secret holds at most 1 MiB; base64 and YAML around it stay well under this.</summary>
    public const int MaxChars = 4 * 1024 * 1024;

    public const int MaxDepth = 32;

    public static bool LooksLikeJson(string text) => text.AsSpan().TrimStart().StartsWith("{");

    public static JsonObject Parse(string text)
    {
        if (text.Length > MaxChars)
        {
            throw new ManifestException($"the manifest is larger than {MaxChars / (1024 * 1024)} MiB");
        }

        if (LooksLikeJson(text))
        {
            try
            {
                return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth }) as JsonObject
                    ?? throw new ManifestException("the manifest is not a JSON object");
            }
            catch (JsonException e)
            {
                throw new ManifestException($"not valid JSON at line {e.LineNumber + 1}", e);
            }
        }

        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                throw new ManifestException("the manifest is empty");
            }

            var root = ReadNode(parser, 0) as JsonObject ?? throw new ManifestException("the manifest is not a YAML mapping");
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out _))
            {
                throw new ManifestException("the manifest holds more than one document; give one object");
            }

            return root;
        }
        catch (YamlException e)
        {
            throw new ManifestException($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}", e);
        }
    }

    public static string ToJson(JsonObject manifest) =>
        manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    public static string ToYaml(JsonObject manifest)
    {
        var output = new StringBuilder();
        WriteMapping(output, manifest, 0);
        return output.ToString();
    }

    private static JsonNode? ReadNode(IParser parser, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ManifestException($"the manifest nests deeper than {MaxDepth} levels");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return ScalarNode(scalar);
        }

        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                if (map.ContainsKey(key))
                {
                    throw new ManifestException($"the key '{key}' appears twice");
                }

                map[key] = ReadNode(parser, depth + 1);
            }

            return map;
        }

        if (parser.TryConsume<SequenceStart>(out _))
        {
            var list = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                list.Add(ReadNode(parser, depth + 1));
            }

            return list;
        }

        // Anchors and aliases have no place in a Secret and are how YAML bombs expand.
        throw new ManifestException("YAML aliases are not accepted in a manifest");
    }

    private static JsonNode? ScalarNode(Scalar scalar)
    {
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(scalar.Value);
        }

        return scalar.Value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            var v when long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            var v => JsonValue.Create(v),
        };
    }

    private static void WriteMapping(StringBuilder output, JsonObject map, int indent)
    {
        foreach (var (key, value) in map)
        {
            output.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(output, value, indent);
        }
    }

    private static void WriteValue(StringBuilder output, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                output.Append(" {}\n");
                break;
            case JsonObject child:
                output.Append('\n');
                WriteMapping(output, child, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                output.Append(" []\n");
                break;
            case JsonArray list:
                output.Append('\n');
                foreach (var item in list)
                {
                    output.Append(' ', indent).Append('-');
                    if (item is JsonObject { Count: > 0 } itemMap)
                    {
                        // "- key: value" with the rest of the mapping aligned under the first key.
                        var nested = new StringBuilder();
                        WriteMapping(nested, itemMap, indent + 2);
                        output.Append(' ').Append(nested.ToString().AsSpan(indent + 2));
                    }
                    else
                    {
                        WriteValue(output, item, indent + 2);
                    }
                }

                break;
            case null:
                output.Append(" null\n");
                break;
            case JsonValue scalar when scalar.GetValueKind() is JsonValueKind.String:
                output.Append(' ').Append(Scalar(scalar.GetValue<string>())).Append('\n');
                break;
            default:
                output.Append(' ').Append(value.ToJsonString()).Append('\n');
                break;
        }
    }

    /// <summary>Plain when YAML would read it back as the same string, JSON-quoted (valid YAML) otherwise.</summary>
    private static string Scalar(string text) =>
        PlainSafe().IsMatch(text) && !PlainAmbiguous().IsMatch(text) ? text : JsonSerializer.Serialize(text);

    [GeneratedRegex("^[A-Za-z0-9_./+=-][A-Za-z0-9_./+=-]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^([-+]?[0-9._]+([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|null|Null|NULL|~|-.*)$")]
    private static partial Regex PlainAmbiguous();
}
