using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Configuration;

namespace Coffer.Scanning.Baselines;

/// <summary>Accepted findings as fingerprints (no secrets), so existing ones stay quiet while new ones fail the scan.</summary>
public static class BaselineFile
{
    public static async Task<IReadOnlySet<string>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            var fingerprints = JsonNode.Parse(text)?["findings"]?.AsArray().Select(f => f?["fingerprint"]?.GetValue<string>()).OfType<string>();
            return (fingerprints ?? throw new ScanConfigException($"baseline {path} has no findings array")).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ScanConfigException($"baseline {path} is not a Coffer baseline file: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScanConfigException($"baseline {path}: {e.Message}", e);
        }
    }

    public static async Task WriteAsync(string path, IEnumerable<Finding> findings, CancellationToken cancellationToken)
    {
        var document = new JsonObject
        {
            ["version"] = 1,
            ["findings"] = new JsonArray([.. findings.Select(f => new JsonObject
            {
                ["fingerprint"] = f.Fingerprint,
                ["ruleId"] = f.RuleId,
                ["path"] = f.Path,
                ["line"] = f.Line,
            })]),
        };
        await File.WriteAllTextAsync(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken).ConfigureAwait(false);
    }
}
