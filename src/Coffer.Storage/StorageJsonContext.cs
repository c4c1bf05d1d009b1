using System.Text.Json.Serialization;

namespace Coffer.Storage;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
