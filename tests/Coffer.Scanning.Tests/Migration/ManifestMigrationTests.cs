using System.Text;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Migration;
using YamlDotNet.RepresentationModel;

namespace Coffer.Scanning.Tests.Migration;

public sealed class ManifestMigrationTests
{
    private const string Password = "Zq8vN2rT5wLp9xKd";
    private const string ApiKey = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

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
        Assert.Equal(("fallback", "checkout-env-v1"), (secret.Namespace, secret.Name));
        Assert.Equal(["DB_PASSWORD", "STRIPE_KEY"], secret.Data.Keys);
        Assert.Equal(ApiKey, Encoding.UTF8.GetString(secret.Data["STRIPE_KEY"]));
        Assert.Equal(2, plan.Replacements);
        Assert.DoesNotContain(Password, plan.Rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("          image: shop/web:1.2   # pinned\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - name: LOG_LEVEL\n              value: debug\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("              value: $(OTHER_VAR)\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: checkout-env-v1\n                  key: DB_PASSWORD\n", plan.Rewritten, StringComparison.Ordinal);
        Assert.Contains("            - {name: STRIPE_KEY, valueFrom: {secretKeyRef: {name: checkout-env-v1, key: STRIPE_KEY}}}\n", plan.Rewritten, StringComparison.Ordinal);

        var env = (YamlSequenceNode)Document(plan.Rewritten, 0)["spec"]["template"]["spec"]["containers"][0]["env"];
        Assert.Equal("checkout-env-v1", Scalar(env[1], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("STRIPE_KEY", Scalar(env[2], "valueFrom", "secretKeyRef", "key"));
        var appended = Document(plan.Rewritten, 1);
        Assert.Equal("CofferSecret", Scalar(appended, "kind"));
        Assert.Equal("checkout-env-v1", Scalar(appended, "spec", "target", "name"));
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

        var diff = UnifiedDiff.Create(plan.MaskedOriginal, plan.Rewritten, "app.yaml");

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
