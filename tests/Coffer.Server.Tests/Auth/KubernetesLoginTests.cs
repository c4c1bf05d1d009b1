using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Access;
using Coffer.Server.Tests.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Tests.Auth;

/// <summary>Service-account login with JWTs signed by test keys, checked offline against the issuer's JWKS.</summary>
public sealed class KubernetesLoginTests : IAsyncLifetime
{
    private AccessWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await AccessWorld.StartAsync();
        using var narrow = await SendAsRootAsync(HttpMethod.Put, "/v1/auth/kubernetes/roles/team-a-api", """{"boundServiceAccountNames":["api"],"boundNamespaces":["team-a"],"ttl":"15m"}""");
        Assert.Equal(201, (int)narrow.StatusCode);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task Login_GoodJwt_IssuesShortLivedTokenWithKubernetesIdentity()
    {
        using var response = await world.LoginResponseAsync("team-a-api", world.ServiceAccountJwt("team-a", "api", credentials: world.JwtIssuer.EcCredentials));
        var issued = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("cfr_", (string?)issued["token"], StringComparison.Ordinal);
        Assert.Equal("system:serviceaccount:team-a:api", (string?)issued["user"]);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:team-a"], issued["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(world.Clock.GetUtcNow().AddMinutes(15), issued["expiresAt"]!.GetValue<DateTimeOffset>());
        var known = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/access/review")).Body)!.ToJsonString();
        Assert.DoesNotContain("system:serviceaccount:team-a:api\\u0022 has never", known, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TokenUsedAfterItsTtl_IsRefused()
    {
        var token = await LoginTokenAsync("team-a-api", world.ServiceAccountJwt("team-a", "api"));
        world.Callers["fresh"] = $"Bearer {token}";
        var before = await world.SendAsync("fresh", HttpMethod.Get, "/v1/tokens/self");
        world.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await world.SendAsync("fresh", HttpMethod.Get, "/v1/tokens/self");

        Assert.Equal(200, before.Status);
        Assert.Equal(401, after.Status);
    }

    public static TheoryData<string, string> BadJwts => new()
    {
        { "expired", "TokenExpired" },
        { "wrong-audience", "InvalidAudience" },
        { "wrong-issuer", "InvalidIssuer" },
        { "wrong-signature", "InvalidSignature" },
        { "not-a-jwt", "MalformedToken" },
    };

    [Theory]
    [MemberData(nameof(BadJwts))]
    public async Task Login_BadJwt_Is401WithTheReason(string kind, string reason)
    {
        using var otherKey = RSA.Create(2048);
        var jwt = kind switch
        {
            "expired" => world.ServiceAccountJwt("team-a", "api", expiresIn: TimeSpan.FromMinutes(-5)),
            "wrong-audience" => world.ServiceAccountJwt("team-a", "api", audience: "someone-else"),
            "wrong-issuer" => world.ServiceAccountJwt("team-a", "api", issuer: "https://evil.example"),
            "wrong-signature" => world.ServiceAccountJwt("team-a", "api", credentials: new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = Coffer.Server.Tests.Auth.Jwt.TestIssuer.RsaKeyId }, SecurityAlgorithms.RsaSha256)),
            _ => "zzjunk.yyjunk.xxjunk",
        };

        using var response = await world.LoginResponseAsync("team-a-api", jwt);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt.Split('.')[0], body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team-b", "api")]
    [InlineData("team-a", "worker")]
    public async Task Login_ServiceAccountNotBoundToRole_Is403(string ns, string name)
    {
        using var response = await world.LoginResponseAsync("team-a-api", world.ServiceAccountJwt(ns, name));
        var body = await response.Content.ReadAsStringAsync();
        using var unknownRole = await world.LoginResponseAsync("no-such-role", world.ServiceAccountJwt(ns, name));
        var unknownBody = await unknownRole.Content.ReadAsStringAsync();

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Contains("LoginDenied", body, StringComparison.Ordinal);
        Assert.Equal(403, (int)unknownRole.StatusCode);
        Assert.Equal(body.Replace("team-a-api", "R", StringComparison.Ordinal), unknownBody.Replace("no-such-role", "R", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{}", 400)]
    [InlineData("""{"role":"team-a-api"}""", 400)]
    [InlineData("""{"role":"team-a-api","jwt":42}""", 400)]
    [InlineData("not json", 400)]
    public async Task Login_MalformedRequest_Is400(string body, int status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/kubernetes/login") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using var response = await world.Server.Client.SendAsync(request);

        await TestServer.AssertErrorAsync(response, status);
    }

    [Fact]
    public async Task Login_NotEnabled_Is404()
    {
        await using var plain = await TestServer.StartDevAsync();
        plain.UseToken(null);
        using var response = await plain.SendJsonAsync(HttpMethod.Post, "/v1/auth/kubernetes/login", """{"role":"r","jwt":"a.b.c"}""");

        await TestServer.AssertErrorAsync(response, 404);
    }

    [Fact]
    public async Task PutLoginRole_BadInput_Is400AndChangesNothing()
    {
        foreach (var body in new[]
        {
            """{"boundServiceAccountNames":[],"boundNamespaces":["team-a"]}""",
            """{"boundServiceAccountNames":["Bad_Name"],"boundNamespaces":["team-a"]}""",
            """{"boundServiceAccountNames":["api"],"boundNamespaces":["team-a"],"ttl":"48h"}""",
            """{"boundServiceAccountNames":["api"],"boundNamespaces":["team-a"],"roles":[{"name":"no-such-role"}]}""",
        })
        {
            using var response = await SendAsRootAsync(HttpMethod.Put, "/v1/auth/kubernetes/roles/team-a-api", body);
            Assert.True((int)response.StatusCode is 400 or 404, $"{body}: {(int)response.StatusCode}");
        }

        var roles = JsonNode.Parse((await world.SendAsync("root", HttpMethod.Get, "/v1/auth/kubernetes/roles")).Body)!["items"]!.AsArray();
        var role = roles.Single(r => (string?)r!["name"] == "team-a-api")!;
        Assert.Equal(["api"], role["boundServiceAccountNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("900s", (string?)role["ttl"]);
    }

    private async Task<string> LoginTokenAsync(string role, string jwt)
    {
        using var response = await world.LoginResponseAsync(role, jwt);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> SendAsRootAsync(HttpMethod method, string path, string body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(world.Callers["root"]!);
        return world.Server.Client.SendAsync(request);
    }
}
