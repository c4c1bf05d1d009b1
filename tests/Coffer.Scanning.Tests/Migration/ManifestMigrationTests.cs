using System.Text;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Migration;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Tests.Migration;

public sealed class ManifestMigrationTests
{
    private const string Password = "Zq8vN2rT5wLp9xKd";
    private const string ApiKey = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    private const string GitHubToken = "ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4";

    private const string Head = """
        # Shop backend: keep the comments, the quoting and the blank lines.
        apiVersion: v1
        kind: Service
        metadata:
          name: shop   # trailing comment
        spec:
          ports: [{port: 80}]

        """;

    private static readonly string SecretDocument = $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
          namespace: shop
          labels:
            app: shop
            canary: "true"
        type: Opaque
        data:
          password: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Password))}
        stringData:
          username: "shop_app"   # the app's own user
        """;

    private const string Tail = """

        # the end
        """;

    private static MigrationPlan Plan(string text) => ManifestMigration.Plan("app.yaml", text, new MigrationOptions { DefaultNamespace = "fallback" });

    private static YamlMappingNode Document(string text, int index)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[index].RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public void Plan_SecretDocument_BecomesACofferSecretOfTheSameSecret_AndTheRestStaysByteForByte()
    {
        var text = $"{Head}---\n{SecretDocument}\n---{Tail}";

        var plan = Plan(text);

        var secret = Assert.Single(plan.Secrets);
        Assert.Equal(("shop", "shop-db-credentials-v1", "Opaque"), (secret.Namespace, secret.Name, secret.Type));
        Assert.Equal(Password, Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Equal("shop_app", Encoding.UTF8.GetString(secret.Data["username"]));
        Assert.StartsWith(Head + "---\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.EndsWith("\n---" + Tail, plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("shop_app", plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("# the app's own user", plan.Rewritten, StringComparison.Ordinal);
        var coffer = Document(plan.Rewritten, 1);
        Assert.Equal(ManifestMigration.CofferSecretApiVersion, Scalar(coffer, "apiVersion"));
        Assert.Equal("CofferSecret", Scalar(coffer, "kind"));
        Assert.Equal("db-credentials", Scalar(coffer, "metadata", "name"));
        Assert.Equal("shop", Scalar(coffer, "metadata", "namespace"));
        Assert.Equal("shop", Scalar(coffer, "metadata", "labels", "app"));
        Assert.Contains("    canary: \"true\"\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Equal("shop-db-credentials-v1", Scalar(coffer, "spec", "source", "name"));
        Assert.Equal("db-credentials", Scalar(coffer, "spec", "target", "name"));
        Assert.Equal(1, plan.Replacements);
    }

    [Fact]
    public void Plan_EnvLiterals_BecomeSecretKeyRefs_OthersStay_AndOneCofferSecretIsAppended()
    {
        var text = $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              labels: {app.kubernetes.io/name: checkout}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: shop/web:1.2   # pinned
                      env:
                        - name: LOG_LEVEL
                          value: debug
                        - name: DB_PASSWORD
                          value: "{{Password}}"
                        - {name: STRIPE_KEY, value: {{ApiKey}}}
                        - name: FROM_REF
                          value: $(OTHER_VAR)
                        - name: DB_PASSWORD_FILE
                          value: /run/secrets/db
            """;

        var plan = Plan(text);

        var secret = Assert.Single(plan.Secrets);
        Assert.Equal(("fallback", "checkout-api-env-v1"), (secret.Namespace, secret.Name));
        Assert.Equal(["DB_PASSWORD", "STRIPE_KEY"], secret.Data.Keys);
        Assert.Equal(ApiKey, Encoding.UTF8.GetString(secret.Data["STRIPE_KEY"]));
        Assert.Equal(2, plan.Replacements);
        Assert.DoesNotContain(Password, plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("          image: shop/web:1.2   # pinned\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - name: LOG_LEVEL\n              value: debug\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("              value: $(OTHER_VAR)\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: checkout-api-env-v1\n                  key: DB_PASSWORD\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - {name: STRIPE_KEY, valueFrom: {secretKeyRef: {name: checkout-api-env-v1, key: STRIPE_KEY}}}\n", plan.Rewritten, StringComparison.Ordinal);

        var env = (YamlSequenceNode)Document(plan.Rewritten, 0)["spec"]["template"]["spec"]["containers"][0]["env"];
        Assert.Equal("checkout-api-env-v1", Scalar(env[1], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("STRIPE_KEY", Scalar(env[2], "valueFrom", "secretKeyRef", "key"));
        var appended = Document(plan.Rewritten, 1);
        Assert.Equal("CofferSecret", Scalar(appended, "kind"));
        Assert.Equal("checkout-api-env-v1", Scalar(appended, "spec", "target", "name"));
        Assert.Equal("fallback", Scalar(appended, "spec", "source", "namespace"));
    }

    [Fact]
    public void Plan_NothingHardcoded_ChangesNothing()
    {
        var text = Head + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {LOG_LEVEL: debug}\n";

        var plan = Plan(text);

        Assert.False(plan.Changes);
        Assert.Equal(text, plan.Rewritten);
    }

    [Fact]
    public void MaskedDiff_ShowsEveryChange_AndNoValue()
    {
        var text = $"{Head}---\n{SecretDocument}\n";
        var plan = Plan(text);

        var diff = UnifiedDiff.Create(plan.MaskedOriginal, plan.MaskedRewritten, "app.yaml");

        Assert.StartsWith("--- a/app.yaml\n+++ b/app.yaml\n@@ ", diff, StringComparison.Ordinal);
        Assert.Contains("-  password: ****\n", diff, StringComparison.Ordinal);
        Assert.Contains("-  username: ****   # the app's own user\n", diff, StringComparison.Ordinal);
        Assert.Contains("+kind: CofferSecret\n", diff, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), diff, StringComparison.Ordinal);
        Assert.DoesNotContain("shop_app", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("# trailing comment", diff, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: Secret\nmetadata: {name: s}\ndata: {k: 'not base64!'}\n", "data.k is not valid base64")]
    [InlineData("kind: Secret\nmetadata: {name: s}\ndata: {k: [a, b]}\n", "not a plain string")]
    [InlineData("kind: Secret\nmetadata: {name: s}\ndata: [a, b]\n", "data is not a mapping")]
    [InlineData("kind: Secret\nmetadata: {}\nstringData: {k: v}\n", "without metadata.name")]
    [InlineData("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, env: [{name: 'DB PASSWORD', value: Zq8vN2rT5wLp9xKd}]}]}\n", "cannot be a Coffer key")]
    [InlineData("kind: Pod\nmetadata: {name: p}\nx: &pw Zq8vN2rT5wLp9xKd\nspec: {containers: [{name: c, env: [{name: DB_PASSWORD, value: *pw}]}]}\n", "anchor or alias")]
    [InlineData("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, env: [{name: DB_PASSWORD, value: &pw Zq8vN2rT5wLp9xKd}, {name: OTHER_PASSWORD, value: *pw}]}]}\n", "anchor or alias")]
    public void Plan_ValueItCannotMoveWhole_IsRefusedNamingTheLine(string text, string reason)
    {
        var error = Assert.Throws<MigrationException>(() => Plan(text));

        Assert.StartsWith("app.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zq8vN2rT5wLp9xKd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: Secret\nmetadata: {name: s\n")]
    [InlineData("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n")]
    public void Plan_NotYamlOrABomb_IsRefused(string text)
    {
        Assert.Throws<ManifestParseException>(() => Plan(text));
    }

    [Fact]
    public void Plan_ServiceAccountTokenSecret_IsLeftToKubernetes()
    {
        var plan = Plan("kind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/service-account-token\ndata: {token: dGVzdA==}\n");

        Assert.False(plan.Changes);
    }

    [Fact]
    public void MaskedDiff_HidesAnnotationsContextAndSkippedSecrets_NotOnlyTheMigratedValues()
    {
        var lastApplied = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"password\":\"" + Password + "\"}}";
        var text = $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: sa-token
              annotations: {"{kubernetes.io/service-account.name: api}"}
            type: kubernetes.io/service-account-token
            data:
              token: {Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey))}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: db
              annotations:
                kubectl.kubernetes.io/last-applied-configuration: '{lastApplied}'
            stringData:
              name: {Password}
            ---
            # a neighbour the rules know: {GitHubToken}
            """;

        var plan = Plan(text);
        var diff = UnifiedDiff.Create(plan.MaskedOriginal, plan.MaskedRewritten, "app.yaml");

        Assert.Single(plan.Secrets);
        Assert.DoesNotContain(Password, diff, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, diff, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey)), diff, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, plan.MaskedOriginal, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, plan.MaskedOriginal, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, diff, StringComparison.Ordinal);
        Assert.Contains("# a neighbour the rules know: ****", plan.MaskedOriginal, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_TwoObjectsOnOneCofferName_IsRefused_ButTwoWorkloadsOfOneAppGetTheirOwn()
    {
        var clash = "kind: Secret\nmetadata: {name: db, labels: {app: api}}\nstringData: {a: Zq8vN2rT5wLp9xKd}\n---\nkind: Secret\nmetadata: {name: api-db}\nstringData: {b: Tq9wZ3xV7bN1mK5s}\n";
        var error = Assert.Throws<MigrationException>(() => Plan(clash));
        Assert.Contains("Secret/api-db and Secret/db would both be stored as fallback/api-db-v1", error.Message, StringComparison.Ordinal);

        var workloads = """
            kind: Deployment
            metadata: {name: api, labels: {app: api}}
            spec: {template: {spec: {containers: [{name: c, env: [{name: DB_PASSWORD, value: Zq8vN2rT5wLp9xKd}]}]}}}
            ---
            kind: CronJob
            metadata: {name: api-backup, labels: {app: api}}
            spec: {template: {spec: {containers: [{name: c, env: [{name: DB_PASSWORD, value: Tq9wZ3xV7bN1mK5s}]}]}}}
            """;
        Assert.Equal(["api-env-v1", "api-backup-env-v1"], Plan(workloads).Secrets.Select(s => s.Name));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Plan_CrlfOrCrLineEnds_KeepsThemAndEveryOtherDocument(string newline)
    {
        var text = $"{Head}---\n{SecretDocument}\n---\nkind: ConfigMap\nmetadata: {{name: after}}\n".Replace("\n", newline, StringComparison.Ordinal);

        var plan = Plan(text);

        Assert.Contains($"kind: ConfigMap{newline}metadata: {{name: after}}{newline}", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains($"kind: CofferSecret{newline}metadata:{newline}", plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(newline == "\r" ? "\n" : "\r\r", plan.Rewritten, StringComparison.Ordinal);
        if (newline == "\r\n")
        {
            Assert.DoesNotMatch("[^\r]\n", plan.Rewritten);
        }
    }

    [Fact]
    public void Plan_SecretWrittenOnItsDocumentMarkerLine_BecomesValidYaml()
    {
        var plan = Plan("--- {apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {k: Zq8vN2rT5wLp9xKd}}\n--- {kind: ConfigMap, metadata: {name: c}}\n");

        Assert.Equal("CofferSecret", Scalar(Document(plan.Rewritten, 0), "kind"));
        Assert.Equal("ConfigMap", Scalar(Document(plan.Rewritten, 1), "kind"));
    }

    [Fact]
    public void Plan_ListHoldingSecrets_IsRefused()
    {
        var error = Assert.Throws<MigrationException>(() => Plan("apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: s}\n  data: {k: dGVzdA==}\n"));

        Assert.Contains("separate documents", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("billing-db-v2", null, "billing-db-v2")]
    [InlineData("db", "shop", "shop-db-v1")]
    [InlineData("shop-db", "shop", "shop-db-v1")]
    [InlineData("token", null, "token-secret-v1")]
    [InlineData("My_DB.Creds", "Shop App", "shop-app-my-db-creds-v1")]
    public void Conventional_FollowsAppKindVersion(string name, string? app, string expected)
    {
        Assert.Equal(expected, SecretNaming.Conventional(name, app));
        Assert.Matches(LintOptions.DefaultSecretNamePattern, expected);
    }
}
