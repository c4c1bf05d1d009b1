using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Linting;

namespace Coffer.Scanning.Reporting;

/// <summary>Findings of <c>coffer scan</c> or <c>coffer lint</c> as a JSON array; secrets masked unless asked for.</summary>
public static class JsonReport
{
    public static string Render(IEnumerable<Finding> findings, bool showSecrets) =>
        new JsonArray([.. findings.Select(f => WithCommit(f, new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["description"] = f.Description,
            ["path"] = f.Path,
            ["line"] = f.Line,
            ["column"] = f.Column,
            ["secret"] = showSecrets ? f.Secret : f.MaskedSecret,
            ["fingerprint"] = f.Fingerprint,
        }))]).ToJsonString(Indented);

    public static string Render(IEnumerable<LintFinding> findings) =>
        new JsonArray([.. findings.Select(f => new JsonObject
        {
            ["ruleId"] = f.Check.Id,
            ["severity"] = f.Check.Severity.ToString().ToLowerInvariant(),
            ["message"] = f.Message,
            ["fix"] = f.Check.Fix,
            ["path"] = f.Path,
            ["line"] = f.Line,
            ["column"] = f.Column,
            ["fingerprint"] = f.Fingerprint,
        })]).ToJsonString(Indented);

    private static JsonObject WithCommit(Finding finding, JsonObject node)
    {
        if (finding.Commit is { } commit)
        {
            node["commit"] = commit.Id;
            node["author"] = commit.Author;
            node["date"] = commit.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return node;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
