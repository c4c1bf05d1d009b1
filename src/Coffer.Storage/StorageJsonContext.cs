using System.Text.Json.Serialization;
using Coffer.Core.Access;

namespace Coffer.Storage;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<BoundRole>))]
[JsonSerializable(typeof(AccessRole))]
[JsonSerializable(typeof(AccessBinding))]
[JsonSerializable(typeof(LoginRole))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
