using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Kubernetes;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Reporting;

/// <summary>SARIF 2.1.0 for code-scanning dashboards; messages name the rule, never the secret.</summary>
public static class SarifReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Render(IEnumerable<Finding> findings, IEnumerable<DetectionRule> rules)
    {
        var descriptions = rules.Select(r => (r.Id, r.Description)).Append((Id: ManifestScanner.EnvRuleId, Description: "Literal secret in a container env value"));
        var driverRules = descriptions.DistinctBy(r => r.Id).Select(r => Rule(r.Id, r.Description, $"{r.Description} committed in plain text.",
            "Revoke and rotate the secret, store it in Coffer, and remove it from the file and its history."));
        var results = findings.Select(f => WithCommit(Result(f.RuleId, "warning", f.Commit is { } c ? $"{f.Description} found, added in commit {c.Id}" : $"{f.Description} found", f.Path, f.Line, f.Column, f.Fingerprint), f));
        return Log("coffer-scan", "https://coffer.example/docs/scan.md", driverRules, results);
    }

    /// <summary>Lint findings, with severity as the SARIF level and the fix as each rule's help.</summary>
    public static string Render(IEnumerable<LintFinding> findings)
    {
        var driverRules = LintChecks.All.Select(c => Rule(c.Id, c.Title, c.Title, c.Fix));
        var results = findings.Select(f => Result(f.Check.Id, Level(f.Check.Severity), f.Message, f.Path, f.Line, f.Column, f.Fingerprint));
        return Log("coffer-lint", "https://coffer.example/docs/lint.md", driverRules, results);
    }

    private static string Level(LintSeverity severity) => severity switch
    {
        LintSeverity.High => "error",
        LintSeverity.Medium => "warning",
        _ => "note",
    };

    private static JsonObject Rule(string id, string shortText, string fullText, string help) => new()
    {
        ["id"] = id,
        ["shortDescription"] = new JsonObject { ["text"] = shortText },
        ["fullDescription"] = new JsonObject { ["text"] = fullText },
        ["help"] = new JsonObject { ["text"] = help },
    };

    private static JsonObject WithCommit(JsonObject result, Finding finding)
    {
        if (finding.Commit is { } commit)
        {
            result["properties"] = new JsonObject
            {
                ["commit"] = commit.Id,
                ["author"] = commit.Author,
                ["date"] = commit.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        return result;
    }

    private static JsonObject Result(string ruleId, string level, string message, string path, int line, int column, string fingerprint) => new()
    {
        ["ruleId"] = ruleId,
        ["level"] = level,
        ["message"] = new JsonObject { ["text"] = message },
        ["locations"] = new JsonArray(new JsonObject
        {
            ["physicalLocation"] = new JsonObject
            {
                ["artifactLocation"] = new JsonObject { ["uri"] = path },
                ["region"] = new JsonObject { ["startLine"] = Math.Max(1, line), ["startColumn"] = Math.Max(1, column) },
            },
        }),
        ["partialFingerprints"] = new JsonObject { ["primaryLocationLineHash"] = fingerprint },
    };

    private static string Log(string toolName, string informationUri, IEnumerable<JsonObject> driverRules, IEnumerable<JsonObject> results)
    {
        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = toolName,
                        ["informationUri"] = informationUri,
                        ["rules"] = new JsonArray([.. driverRules]),
                    },
                },
                ["results"] = new JsonArray([.. results]),
            }),
        };
        return log.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
