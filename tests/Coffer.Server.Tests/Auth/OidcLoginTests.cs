using System.Text.Json.Nodes;
using Coffer.Server.Tests.Auth.Jwt;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Auth;

/// <summary>People log in with an OIDC ID token; a claim names them, another lists their groups, and bindings to those apply.</summary>
public sealed class OidcLoginTests : IAsyncLifetime
{
    private const string Issuer = "https://login.example.com";
    private readonly ManualTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly TestIssuer issuer = new();
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync(clock, (folder, options) =>
        {
            var jwks = Path.Combine(folder, "oidc-jwks.json");
            File.WriteAllText(jwks, issuer.JwksJson);
            return options with
            {
                OidcAuth = new IdentityProviderOptions { Issuer = Issuer, JwksPath = jwks, Audiences = ["coffer-cli"], UsernameClaim = "email", TokenTtl = TimeSpan.FromHours(8) },
            };
        });
        await server.PutSecretAsync("default", "db", new Dictionary<string, string> { ["v"] = "x" });
        await server.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {namespace: default, name: reader}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {namespace: default, name: platform-reads}
            subjects: [{kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io}]
            roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
            """);
        server.UseToken(null);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        issuer.Dispose();
    }

    [Fact]
    public async Task Login_IdToken_NamesUserAndGroups_AndGroupBindingsApply()
    {
        var issued = await server.PostJsonAsync("/v1/auth/oidc/login", Body(IdToken("alice@example.com", "platform", "system:masters")));
        server.UseToken(issued["token"]!.GetValue<string>());
        using var read = await server.Client.GetAsync("/v1/namespaces/default/secrets/db");
        using var write = await server.PutJsonAsync("/v1/namespaces/default/secrets/db", """{"stringData":{"v":"y"}}""");

        Assert.Equal("alice@example.com", (string?)issued["user"]);
        Assert.Equal(["platform"], issued["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(clock.GetUtcNow().AddHours(8), issued["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(200, (int)read.StatusCode);
        Assert.Equal(403, (int)write.StatusCode);
    }

    [Theory]
    [InlineData("system:serviceaccount:default:app", 401)]
    [InlineData("", 401)]
    public async Task Login_ReservedOrMissingUser_IsRefused(string user, int status)
    {
        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/auth/oidc/login", Body(IdToken(user)));

        await TestServer.AssertErrorAsync(response, status);
    }

    [Fact]
    public async Task Login_WrongAudience_Is401()
    {
        var token = TestIssuer.Sign(Claims("bob@example.com", "coffer-web"), issuer.RsaCredentials);

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/auth/oidc/login", Body(token));

        await TestServer.AssertErrorAsync(response, 401, "InvalidAudience");
    }

    private string IdToken(string email, params string[] groups)
    {
        var claims = Claims(email, "coffer-cli");
        claims["groups"] = new JsonArray([.. groups.Select(g => JsonValue.Create(g))]);
        return TestIssuer.Sign(claims, issuer.EcCredentials);
    }

    private JsonObject Claims(string email, string audience)
    {
        var now = clock.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["sub"] = "user-123",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        };
        if (email.Length > 0)
        {
            claims["email"] = email;
        }

        return claims;
    }

    private static string Body(string jwt) => new JsonObject { ["jwt"] = jwt }.ToJsonString();
}
