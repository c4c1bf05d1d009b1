using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Reporting;
using Coffer.Scanning.Rules;
using Json.Schema;

namespace Coffer.Scanning.Tests.Reporting;

public sealed class SarifReportTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reporting", "sarif-schema-2.1.0.json"))));

    private static readonly Finding Sample = new("stripe-live-secret-key", "Stripe live secret key", "src/app.py", 3, 9, "sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU");

    private static EvaluationResults Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    [Fact]
    public void Render_Findings_ValidAgainstSarifSchema()
    {
        var results = Validate(SarifReport.Render([Sample], DefaultRules.All));

        Assert.True(results.IsValid, string.Join('\n', (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void Render_NoFindings_ValidAgainstSarifSchema() => Assert.True(Validate(SarifReport.Render([], DefaultRules.All)).IsValid);

    [Fact]
    public void Schema_LogWithoutVersion_Invalid()
    {
        var log = JsonNode.Parse(SarifReport.Render([Sample], DefaultRules.All))!.AsObject();
        log.Remove("version");

        Assert.False(Validate(log.ToJsonString()).IsValid);
    }

    [Fact]
    public void Render_Finding_LocationFingerprintAndNoSecret()
    {
        var json = SarifReport.Render([Sample], DefaultRules.All);
        var result = JsonNode.Parse(json)!["runs"]![0]!["results"]![0]!;

        Assert.Equal("stripe-live-secret-key", result["ruleId"]!.GetValue<string>());
        Assert.Equal(3, result["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]!.GetValue<int>());
        Assert.Equal(Sample.Fingerprint, result["partialFingerprints"]!["primaryLocationLineHash"]!.GetValue<string>());
        Assert.DoesNotContain("aB3dE5", json, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonReport_Default_SecretMasked()
    {
        var json = JsonReport.Render([Sample], showSecrets: false);

        Assert.Contains("\"sk_l****\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("aB3dE5", json, StringComparison.Ordinal);
        Assert.Contains("aB3dE5", JsonReport.Render([Sample], showSecrets: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LintFindings_ValidWithSeverityAsLevel()
    {
        var findings = new ManifestLinter(new LintOptions()).Lint("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n");

        var json = SarifReport.Render(findings);

        var results = Validate(json);
        Assert.True(results.IsValid);
        var run = JsonNode.Parse(json)!["runs"]![0]!;
        Assert.Equal("coffer-lint", run["tool"]!["driver"]!["name"]!.GetValue<string>());
        Assert.Contains(run["results"]!.AsArray(), r => r!["ruleId"]!.GetValue<string>() == "secret-owner-label" && r["level"]!.GetValue<string>() == "note");
    }
}
