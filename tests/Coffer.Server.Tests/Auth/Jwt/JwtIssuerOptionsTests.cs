using Coffer.Core.Errors;
using Coffer.Server.Auth.Jwt;

namespace Coffer.Server.Tests.Auth.Jwt;

/// <summary>Bad issuer configuration fails at startup, naming the field.</summary>
public sealed class JwtIssuerOptionsTests : IDisposable
{
    private readonly TestIssuer keys = new();

    public void Dispose() => keys.Dispose();

    [Fact]
    public void Validate_Complete_Passes()
    {
        var options = Good();

        options.Validate();

        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
    }

    [Fact]
    public void Validate_NoAudience_ThrowsNamingAudiences() =>
        AssertInvalid(Good() with { Audiences = [] }, "audiences");

    [Fact]
    public void Validate_BlankAudience_ThrowsNamingAudiences() =>
        AssertInvalid(Good() with { Audiences = ["coffer", " "] }, "audiences");

    [Fact]
    public void Validate_EmptyIssuer_ThrowsNamingIssuer() =>
        AssertInvalid(Good() with { Issuer = "" }, "issuer");

    [Fact]
    public void Validate_NegativeClockSkew_ThrowsNamingClockSkew() =>
        AssertInvalid(Good() with { ClockSkew = TimeSpan.FromSeconds(-1) }, "clockSkew");

    [Fact]
    public void Validate_NeitherJwks_ThrowsNamingJwksPath() =>
        AssertInvalid(Good() with { JwksJson = null }, "jwksPath");

    [Fact]
    public void Validate_BothJwks_ThrowsNamingJwksJson() =>
        AssertInvalid(Good() with { JwksPath = "/nonexistent/jwks.json" }, "jwksJson");

    [Fact]
    public void Validate_MissingFile_ThrowsNamingJwksPath() =>
        AssertInvalid(Good() with { JwksJson = null, JwksPath = $"/nonexistent/{Guid.NewGuid():N}.json" }, "jwksPath");

    [Fact]
    public void Validate_FileNotJwks_ThrowsNamingJwksPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"coffer-jwks-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "-----BEGIN PUBLIC KEY-----\nnot json\n-----END PUBLIC KEY-----\n");
            AssertInvalid(Good() with { JwksJson = null, JwksPath = path }, "jwksPath");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"keys":[]}""")]
    [InlineData("""{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}""")]
    [InlineData("""{"not":"a jwks"}""")]
    [InlineData("[1,2]")]
    public void Validate_NoUsableKeys_ThrowsNamingJwksJson(string json) =>
        AssertInvalid(Good() with { JwksJson = json }, "jwksJson");

    private JwtIssuerOptions Good() => new() { Issuer = "https://issuer.example", Audiences = ["coffer"], JwksJson = keys.JwksJson };

    private static void AssertInvalid(JwtIssuerOptions options, string field)
    {
        var error = Assert.Throws<CofferException>(options.Validate);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Equal(field, error.Field);
    }
}
