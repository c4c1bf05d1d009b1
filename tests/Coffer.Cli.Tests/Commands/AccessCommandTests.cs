using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;
using Coffer.Server;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Cli.Tests.Commands;

/// <summary>The README's least-privilege walkthrough, command by command: namespace, RBAC YAML, login role, can-i, who-can, review.</summary>
public sealed class AccessCommandTests : CliServerTests, IDisposable
{
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private readonly RSA signingKey = RSA.Create(2048);

    public const string Rbac = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          namespace: shop
          name: secret-reader
        rules:
        - apiGroups: [""]
          resources: ["secrets"]
          resourceNames: ["database-credentials", "api-keys"]
          verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          namespace: shop
          name: api-reads-its-secrets
        subjects:
        - kind: ServiceAccount
          name: api
          namespace: shop
        roleRef:
          kind: Role
          name: secret-reader
          apiGroup: rbac.authorization.k8s.io
        """;

    public void Dispose() => signingKey.Dispose();

    [Fact]
    public async Task LeastPrivilegeWalkthrough_EachStepShowsWhatTheReadmeSays()
    {
        Assert.Equal("namespace/shop created", (await Cli.SucceedAsync("namespace", "create", "shop")).Output.Trim());
        foreach (var name in new[] { "database-credentials", "api-keys", "payments-key" })
        {
            await Cli.SucceedAsync("secret", "put", name, "-n", "shop", "--from-literal", $"value={name}-value");
        }

        var applied = await Cli.SucceedAsync("apply", "-f", Cli.TempFile("rbac.yaml", Rbac));
        Assert.Contains("role/secret-reader (namespace shop) created", applied.Output, StringComparison.Ordinal);
        Assert.Contains("rolebinding/api-reads-its-secrets (namespace shop) created", applied.Output, StringComparison.Ordinal);
        Assert.Contains("unchanged", (await Cli.SucceedAsync("apply", "-f", Cli.TempFile("rbac.yaml", Rbac))).Output, StringComparison.Ordinal);

        await Cli.SucceedAsync("auth", "kubernetes-role", "put", "shop-api", "--service-account", "api", "--bound-namespace", "shop", "--ttl", "15m");

        var yes = await Cli.RunAsync("auth", "can-i", "get", "secrets/database-credentials", "-n", "shop", "--as", "system:serviceaccount:shop:api");
        var no = await Cli.RunAsync("auth", "can-i", "get", "secrets/payments-key", "-n", "shop", "--as", "system:serviceaccount:shop:api");
        var noList = await Cli.RunAsync("auth", "can-i", "list", "secrets", "-n", "shop", "--as", "system:serviceaccount:shop:api");
        Assert.Equal((0, "yes"), (yes.ExitCode, yes.Output.Trim()));
        Assert.Equal((1, "no"), (no.ExitCode, no.Output.Trim()));
        Assert.Equal((1, "no"), (noList.ExitCode, noList.Output.Trim()));

        var whoCan = (await Cli.SucceedAsync("access", "who-can", "get", "secrets/database-credentials", "-n", "shop")).Output;
        Assert.Contains("shop/api", whoCan, StringComparison.Ordinal);
        Assert.Contains("RoleBinding shop/api-reads-its-secrets", whoCan, StringComparison.Ordinal);
        Assert.Contains("Role secret-reader", whoCan, StringComparison.Ordinal);
        Assert.DoesNotContain("shop/api", (await Cli.SucceedAsync("access", "who-can", "get", "secrets/payments-key", "-n", "shop")).Output, StringComparison.Ordinal);

        var review = JsonNode.Parse((await Cli.SucceedAsync("access", "review", "-o", "json")).Output)!;
        Assert.Contains(review["findings"]!.AsArray(), f => (string?)f!["code"] == "TokenWithoutExpiry");
    }

    [Fact]
    public async Task LoginWithServiceAccountJwt_SeesOnlyItsNamedSecrets()
    {
        await Cli.SucceedAsync("namespace", "create", "shop");
        foreach (var name in new[] { "database-credentials", "api-keys", "payments-key" })
        {
            await Cli.SucceedAsync("secret", "put", name, "-n", "shop", "--from-literal", $"value={name}-value");
        }

        await Cli.SucceedAsync("apply", "-f", Cli.TempFile("rbac.yaml", Rbac));
        await Cli.SucceedAsync("auth", "kubernetes-role", "put", "shop-api", "--service-account", "api", "--bound-namespace", "shop", "--ttl", "15m");
        using var workload = new CliSession(Server, withToken: false);

        var login = await workload.SucceedAsync("login", "--method", "kubernetes", "--role", "shop-api", "--jwt-file", workload.TempFile("token", Jwt("shop", "api")));
        var listed = await workload.SucceedAsync("secret", "list", "-n", "shop");
        var forbidden = await workload.RunAsync("secret", "get", "payments-key", "-n", "shop");
        var canI = await workload.SucceedAsync("auth", "can-i", "--list", "-n", "shop");

        Assert.Contains("system:serviceaccount:shop:api", login.Output, StringComparison.Ordinal);
        Assert.Contains("database-credentials", listed.Output, StringComparison.Ordinal);
        Assert.Contains("api-keys", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("payments-key", listed.Output, StringComparison.Ordinal);
        Assert.Equal(CliExitCode.Unauthorized, forbidden.ExitCode);
        Assert.Contains("[database-credentials api-keys]", canI.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_InvalidDocument_Exit7NamesItAndAppliesNothing()
    {
        var broken = Rbac.Replace("verbs: [\"get\"]", "verbs: [\"gets\"]", StringComparison.Ordinal);
        await Cli.SucceedAsync("namespace", "create", "shop");

        var result = await Cli.RunAsync("apply", "-f", Cli.TempFile("broken.yaml", broken));
        var who = await Cli.SucceedAsync("access", "who-can", "get", "secrets/database-credentials", "-n", "shop", "-o", "json");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.Contains("document 1 (Role shop/secret-reader)", result.Error, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(who.Output)!["subjects"]!.AsArray());
    }

    [Fact]
    public async Task TokenCommands_CreateLookupRenewRevoke()
    {
        var created = JsonNode.Parse((await Cli.SucceedAsync("token", "create", "--display-name", "ci", "--ttl", "1h", "--max-ttl", "2h", "--renewable", "-o", "json")).Output)!;
        var accessor = (string)created["accessor"]!;

        var lookup = await Cli.SucceedAsync("token", "lookup", accessor);
        var renewed = await Cli.SucceedAsync("token", "renew", accessor, "--increment", "90m");
        var revoked = await Cli.SucceedAsync("token", "revoke", accessor);
        var gone = await Cli.RunAsync("token", "lookup", accessor);

        Assert.StartsWith("cfr_", (string?)created["token"], StringComparison.Ordinal);
        Assert.Contains("token:ci", lookup.Output, StringComparison.Ordinal);
        Assert.Contains($"token {accessor} renewed", renewed.Output, StringComparison.Ordinal);
        Assert.Contains(accessor, revoked.Output, StringComparison.Ordinal);
        Assert.Equal(CliExitCode.NotFound, gone.ExitCode);
    }

    [Fact]
    public async Task NamespaceDelete_NotEmpty_NeedsForce()
    {
        await Cli.SucceedAsync("namespace", "create", "scratch");
        await Cli.SucceedAsync("secret", "put", "s", "-n", "scratch", "--from-literal", "k=v");

        var refused = await Cli.RunAsync("namespace", "delete", "scratch");
        var forced = await Cli.SucceedAsync("namespace", "delete", "scratch", "--force");
        var listed = await Cli.SucceedAsync("namespace", "list");

        Assert.Equal(CliExitCode.Conflict, refused.ExitCode);
        Assert.Contains("1 secrets with it", forced.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("scratch", listed.Output, StringComparison.Ordinal);
    }

    private protected override Task<TestServer> StartServerAsync() =>
        TestServer.StartDevAsync((folder, options) =>
        {
            var jwks = Path.Combine(folder, "jwks.json");
            var key = signingKey.ExportParameters(false);
            File.WriteAllText(jwks, new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["kid"] = "k1",
                    ["alg"] = "RS256",
                    ["n"] = Base64UrlEncoder.Encode(key.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(key.Exponent),
                }),
            }.ToJsonString());
            return options with { KubernetesAuth = new IdentityProviderOptions { Issuer = Issuer, JwksPath = jwks, Audiences = ["coffer"] } };
        });

    private string Jwt(string ns, string name)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = new JsonArray("coffer"),
            ["sub"] = $"system:serviceaccount:{ns}:{name}",
            ["iat"] = now,
            ["exp"] = now + 600,
            ["kubernetes.io"] = new JsonObject { ["namespace"] = ns, ["serviceaccount"] = new JsonObject { ["name"] = name } },
        };
        return new JsonWebTokenHandler().CreateToken(payload.ToJsonString(), new SigningCredentials(new RsaSecurityKey(signingKey) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256));
    }
}
