using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Kubernetes;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Reporting;

/// <summary>SARIF 2.1.0 for code-scanning dashboards; messages name the rule, never the secret.</summary>
public static class SarifReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Render(IEnumerable<Finding> findings, IEnumerable<DetectionRule> rules)
    {
        var list = findings.ToList();
        var descriptions = rules.Select(r => (r.Id, r.Description)).Append((Id: ManifestScanner.EnvRuleId, Description: "Literal secret in a container env value"));
        var driverRules = descriptions.DistinctBy(r => r.Id).Select(r => new JsonObject
        {
            ["id"] = r.Id,
            ["shortDescription"] = new JsonObject { ["text"] = r.Description },
            ["fullDescription"] = new JsonObject { ["text"] = $"{r.Description} committed in plain text." },
            ["help"] = new JsonObject { ["text"] = "Revoke and rotate the secret, store it in Coffer, and remove it from the file and its history." },
        });
        var results = list.Select(f => new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["message"] = new JsonObject { ["text"] = $"{f.Description} found" },
            ["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = f.Path },
                    ["region"] = new JsonObject { ["startLine"] = Math.Max(1, f.Line), ["startColumn"] = Math.Max(1, f.Column) },
                },
            }),
            ["partialFingerprints"] = new JsonObject { ["primaryLocationLineHash"] = f.Fingerprint },
        });
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
                        ["name"] = "coffer-scan",
                        ["informationUri"] = "https://coffer.example/docs/scan.md",
                        ["rules"] = new JsonArray([.. driverRules]),
                    },
                },
                ["results"] = new JsonArray([.. results]),
            }),
        };
        return log.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
