using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Scanning.Reporting;

/// <summary>Findings as a JSON array; secrets masked unless asked for.</summary>
public static class JsonReport
{
    public static string Render(IEnumerable<Finding> findings, bool showSecrets) =>
        new JsonArray([.. findings.Select(f => new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["description"] = f.Description,
            ["path"] = f.Path,
            ["line"] = f.Line,
            ["column"] = f.Column,
            ["secret"] = showSecrets ? f.Secret : f.MaskedSecret,
            ["fingerprint"] = f.Fingerprint,
        })]).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
