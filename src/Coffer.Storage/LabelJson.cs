using System.Text.Json;

namespace Coffer.Storage;

/// <summary>Labels and annotations are stored as one JSON object per column, the same in every backend.</summary>
internal static class LabelJson
{
    public static string Serialize(IReadOnlyDictionary<string, string> values) =>
        JsonSerializer.Serialize(values.ToDictionary(StringComparer.Ordinal), StorageJsonContext.Default.DictionaryStringString);

    public static Dictionary<string, string> Deserialize(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString) ?? [];
}
