using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Cli.Output;

/// <summary>Turns fields of the server's documents into table cells.</summary>
internal static class Cells
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Text(JsonNode? node) => node switch
    {
        null => "<none>",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    public static string Time(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "<none>";

    public static string Pairs(JsonNode? node) =>
        node is JsonObject o && o.Count > 0 ? string.Join(',', o.Select(p => $"{p.Key}={Text(p.Value)}")) : "<none>";

    public static string Size(int bytes) => $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";

    /// <summary>Printable UTF-8 as it is; anything else as <c>base64:...</c> so the table stays one line per key.</summary>
    public static string Value(byte[] bytes)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            if (!text.Any(char.IsControl))
            {
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
            // Not text: shown as base64 below.
        }

        return "base64:" + Convert.ToBase64String(bytes);
    }
}
