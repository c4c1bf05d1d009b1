using System.Text.Json.Nodes;
using Coffer.Core.Errors;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Audit;

/// <summary>The audit policy: Kubernetes' shape, first match wins, values only as HMACs, and bad policies refused.</summary>
public sealed class AuditPolicyTests
{
    private const string Canary = "policy-canary-3d1e55";

    private const string Policy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        rules:
          - level: None
            verbs: [list]
            resources:
              - group: ""
                resources: [namespaces]
          - level: RequestResponse
            resources:
              - group: ""
                resources: [secrets]
            namespaces: [shop]
          - level: Request
            userGroups: [auditors]
        """;

    [Fact]
    public void LevelFor_FirstMatchingRuleWins_DefaultIsMetadata()
    {
        var policy = AuditPolicy.Parse(Policy);

        Assert.Equal(AuditLevel.None, policy.LevelFor("root", [], "list", "namespaces", null));
        Assert.Equal(AuditLevel.RequestResponse, policy.LevelFor("alice", ["auditors"], "get", "secrets", "shop"));
        Assert.Equal(AuditLevel.Request, policy.LevelFor("alice", ["auditors"], "get", "secrets", "other"));
        Assert.Equal(AuditLevel.Metadata, policy.LevelFor("bob", ["devs"], "get", "secrets", "other"));
        Assert.Equal(AuditLevel.Metadata, AuditPolicy.Default.LevelFor("bob", [], "get", "secrets", "shop"));
    }

    [Theory]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n", "rules[0].level")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    users: alice\n", "rules[0].users")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    color: red\n", "rules[0].color")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - users: [alice]\n", "rules[0].level")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: \"1\"\n", "rules[0].level")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: \"Metadata, Request\"\n", "rules[0].level")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: metadata\n", "rules[0].level")]
    [InlineData("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: {}\n", "rules")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nrules: []\n", "apiVersion")]
    [InlineData("- just\n- a list\n", "audit-policy")]
    [InlineData("a: &x [1]\nb: *x\n", "")]
    [InlineData("rules: [[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]\n", "")]
    public void Parse_BadPolicy_IsRefusedNamingTheField(string yaml, string field)
    {
        var error = Assert.Throws<CofferException>(() => AuditPolicy.Parse(yaml));

        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Contains(field, error.Field ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Oversized_IsRefused()
    {
        var error = Assert.Throws<CofferException>(() => AuditPolicy.Parse("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n# " + new string('x', AuditPolicy.MaxBytes)));
        Assert.Contains("larger", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_RequestResponseLevel_RecordsValuesOnlyAsTheirHmac_AndNoneDropsAllowedEntries()
    {
        var folder = Directory.CreateTempSubdirectory("coffer-audit-policy-").FullName;
        try
        {
            await using (var server = await TestServer.StartDevAsync(configure: (_, o) => o with { AuditDirectory = folder, AuditPolicy = AuditPolicy.Parse(Policy) }))
            {
                await server.CreateNamespacesAsync("shop");
                await server.PutSecretAsync("shop", "db", new Dictionary<string, string> { ["password"] = Canary });
                await server.GetSecretAsync("shop", "db");
                await server.PutSecretAsync("default", "plain", new Dictionary<string, string> { ["password"] = Canary });
                await server.GetJsonAsync("/v1/namespaces");
                var hmac = (string)(await server.PostJsonAsync("/v1/audit/hash", new JsonObject { ["value"] = Canary }.ToJsonString()))["hmac"]!;

                var text = await File.ReadAllTextAsync(Path.Combine(folder, "audit.log"));
                var entries = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["entry"]!).Where(e => (string?)e["stage"] == "ResponseComplete").ToList();
                var put = entries.Single(e => (string?)e["method"] == "PUT" && (string?)e["namespace"] == "shop");
                var get = entries.Single(e => (string?)e["method"] == "GET" && (string?)e["name"] == "db");
                var plain = entries.Single(e => (string?)e["method"] == "PUT" && (string?)e["namespace"] == "default");

                Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
                Assert.StartsWith("hmac-sha256:", hmac, StringComparison.Ordinal);
                Assert.Equal("RequestResponse", (string?)put["level"]);
                Assert.Equal(hmac, (string?)put["requestObject"]!["data"]!["password"]);
                Assert.Equal(hmac, (string?)get["responseObject"]!["data"]!["password"]);
                Assert.Equal("Metadata", (string?)plain["level"]);
                Assert.Null(plain["requestObject"]);
                Assert.DoesNotContain(entries, e => (string?)e["path"] == "/v1/namespaces" && (string?)e["method"] == "GET");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
