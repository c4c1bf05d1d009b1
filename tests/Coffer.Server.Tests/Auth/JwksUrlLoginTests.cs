using System.Text.Json.Nodes;
using Coffer.Server.Tests.Auth.Jwt;
using Coffer.Server.Tests.Hosting;
using Coffer.Kubernetes.Tests.FakeApi;

namespace Coffer.Server.Tests.Auth;

/// <summary>Service-account login against keys fetched from the issuer's JWKS URL, cached, and refreshed after rotation.</summary>
public sealed class JwksUrlLoginTests : IAsyncLifetime
{
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private readonly ManualTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly TestIssuer keys = new();
    private readonly TestIssuer rotated = new();
    private FakeKubernetesApi cluster = null!;
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeKubernetesApi.StartAsync();
        cluster.Jwks = keys.JwksJson;
        server = await TestServer.StartDevAsync(clock, (_, options) => options with
        {
            KubernetesAuth = new IdentityProviderOptions { Issuer = Issuer, JwksPath = new Uri(cluster.BaseAddress, "openid/v1/jwks").ToString(), Audiences = ["coffer"] },
        });
        await server.PutJsonAsync("/v1/auth/kubernetes/roles/apps", """{"boundServiceAccountNames":["api"],"boundNamespaces":["shop"]}""");
        server.UseToken(null);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await cluster.DisposeAsync();
        keys.Dispose();
        rotated.Dispose();
    }

    [Fact]
    public async Task Login_KeysFromUrl_ThenRotated_AppliesAfterRefresh_AndSurvivesIssuerOutage()
    {
        using var first = await LoginAsync(keys);
        cluster.Jwks = rotated.JwksJson;
        using var beforeRefresh = await LoginAsync(rotated);
        clock.Advance(TimeSpan.FromMinutes(6));
        using var afterRefresh = await LoginAsync(rotated);
        cluster.Jwks = null;
        clock.Advance(TimeSpan.FromMinutes(6));
        using var duringOutage = await LoginAsync(rotated);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(401, (int)beforeRefresh.StatusCode);
        Assert.Equal(200, (int)afterRefresh.StatusCode);
        Assert.Equal(200, (int)duringOutage.StatusCode);
    }

    [Theory]
    [InlineData("http://issuer.example/jwks", null)]
    [InlineData("https://issuer.example/jwks", "/tmp/jwks.json")]
    public void Validate_BadJwksUrlOptions_NamesTheField(string url, string? path)
    {
        var options = new Coffer.Server.Auth.Jwt.JwtIssuerOptions { Issuer = Issuer, Audiences = ["coffer"], JwksUrl = new Uri(url), JwksPath = path };

        var error = Assert.Throws<Coffer.Core.Errors.CofferException>(options.Validate);

        Assert.Equal("jwksUrl", error.Field);
    }

    private Task<HttpResponseMessage> LoginAsync(TestIssuer signer)
    {
        var now = clock.GetUtcNow();
        var jwt = TestIssuer.Sign(
            new JsonObject
            {
                ["iss"] = Issuer,
                ["aud"] = new JsonArray("coffer"),
                ["sub"] = "system:serviceaccount:shop:api",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
                ["kubernetes.io"] = new JsonObject { ["namespace"] = "shop", ["serviceaccount"] = new JsonObject { ["name"] = "api" } },
            },
            signer.RsaCredentials);
        return server.SendJsonAsync(HttpMethod.Post, "/v1/auth/kubernetes/login", new JsonObject { ["role"] = "apps", ["jwt"] = jwt }.ToJsonString());
    }
}
