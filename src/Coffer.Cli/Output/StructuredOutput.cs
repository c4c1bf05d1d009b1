using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Coffer.Cli.Output;

/// <summary>Prints the server's own JSON document as indented JSON or as YAML.</summary>
internal static class StructuredOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ISerializer Yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

    public static async Task WriteAsync(TextWriter output, JsonNode document, OutputFormat format)
    {
        var text = format switch
        {
            OutputFormat.Json => document.ToJsonString(Indented) + "\n",
            OutputFormat.Yaml => Yaml.Serialize(ToPlain(document)),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "table output is not structured"),
        };
        await output.WriteAsync(text).ConfigureAwait(false);
    }

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when v.TryGetValue<long>(out var whole) => whole,
            JsonValueKind.Number => v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
