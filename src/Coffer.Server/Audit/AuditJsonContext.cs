using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Audit;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AuditCheckpointResponse))]
[JsonSerializable(typeof(AuditHashRequest))]
[JsonSerializable(typeof(AuditHashResponse))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
