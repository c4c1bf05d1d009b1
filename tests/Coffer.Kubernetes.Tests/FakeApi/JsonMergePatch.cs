using System.Text.Json.Nodes;

namespace Coffer.Kubernetes.Tests.FakeApi;

/// <summary>RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else replaces.</summary>
internal static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            var existing = result[key];
            result.Remove(key);
            if (value is not null)
            {
                result[key] = Apply(existing, value);
            }
        }

        return result;
    }
}
