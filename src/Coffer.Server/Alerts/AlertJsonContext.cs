using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Alerts;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SlackMessage))]
[JsonSerializable(typeof(AlertList))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
