using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Core.Errors;
using Coffer.Server.Auth.Jwt;
using Coffer.Server.Tests.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Tests.Auth.Jwt;

/// <summary>Offline JWT validation with real keys and a clock the test controls (set years ahead of the wall clock, so a wall-clock read shows up as a failure).</summary>
public sealed class JwtValidatorTests : IDisposable
{
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private static readonly DateTimeOffset Start = new(2031, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestIssuer keys = new();
    private readonly ManualTimeProvider clock = new(Start);
    private readonly JwtValidator validator;
    private readonly JwtIssuerOptions options;

    public JwtValidatorTests()
    {
        validator = new JwtValidator(clock);
        options = new JwtIssuerOptions { Issuer = Issuer, Audiences = ["coffer"], JwksJson = keys.JwksJson };
    }

    public void Dispose() => keys.Dispose();

    [Fact]
    public async Task ValidateAsync_GoodRsaToken_ReturnsSubjectAndFlattenedClaims()
    {
        var token = TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials);

        var jwt = await validator.ValidateAsync(token, options, CancellationToken.None);

        Assert.Equal("system:serviceaccount:payments:api", jwt.Subject);
        Assert.Equal(Issuer, jwt.Issuer);
        Assert.Equal(Start.AddMinutes(10), jwt.ExpiresAt);
        Assert.Equal(["payments"], jwt.Claims["kubernetes.io.namespace"]);
        Assert.Equal(["api"], jwt.Claims["kubernetes.io.serviceaccount.name"]);
        Assert.Equal(["api-7d9f"], jwt.Claims["kubernetes.io.pod.name"]);
        Assert.Equal(["coffer", "other"], jwt.Claims["aud"]);
        Assert.Equal([Start.AddMinutes(10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)], jwt.Claims["exp"]);
        Assert.False(jwt.Claims.ContainsKey("kubernetes.io"));
    }

    [Fact]
    public async Task ValidateAsync_GoodEcToken_ReturnsSubject()
    {
        var token = TestIssuer.Sign(KubernetesPayload(), keys.EcCredentials);

        var jwt = await validator.ValidateAsync(token, options, CancellationToken.None);

        Assert.Equal("system:serviceaccount:payments:api", jwt.Subject);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredWithinClockSkew_Accepts()
    {
        var token = TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials);
        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(20));

        var jwt = await validator.ValidateAsync(token, options, CancellationToken.None);

        Assert.Equal("system:serviceaccount:payments:api", jwt.Subject);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredBeyondClockSkew_ThrowsTokenExpired()
    {
        var token = TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials);
        clock.Advance(TimeSpan.FromMinutes(11));

        await AssertRejectedAsync(token, "TokenExpired");
    }

    [Fact]
    public async Task ValidateAsync_NotBeforeInFuture_ThrowsTokenNotYetValid()
    {
        var payload = KubernetesPayload();
        payload["nbf"] = Start.AddMinutes(5).ToUnixTimeSeconds();

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "TokenNotYetValid");
    }

    [Fact]
    public async Task ValidateAsync_IssuedInFuture_ThrowsTokenNotYetValid()
    {
        var payload = KubernetesPayload();
        payload["iat"] = Start.AddMinutes(5).ToUnixTimeSeconds();

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "TokenNotYetValid");
    }

    [Fact]
    public async Task ValidateAsync_NoExpiry_ThrowsMalformedToken()
    {
        var payload = KubernetesPayload();
        payload.Remove("exp");

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "MalformedToken");
    }

    [Fact]
    public async Task ValidateAsync_WrongAudience_ThrowsInvalidAudience()
    {
        var payload = KubernetesPayload();
        payload["aud"] = new JsonArray("https://kubernetes.default.svc");

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "InvalidAudience");
    }

    [Fact]
    public async Task ValidateAsync_WrongIssuer_ThrowsInvalidIssuer()
    {
        var payload = KubernetesPayload();
        payload["iss"] = "https://evil.example";

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "InvalidIssuer");
    }

    [Fact]
    public async Task ValidateAsync_SignedByOtherKeyWithSameKid_ThrowsInvalidSignature()
    {
        using var other = RSA.Create(2048);
        var credentials = new SigningCredentials(new RsaSecurityKey(other) { KeyId = TestIssuer.RsaKeyId }, SecurityAlgorithms.RsaSha256);

        await AssertRejectedAsync(TestIssuer.Sign(KubernetesPayload(), credentials), "InvalidSignature");
    }

    [Fact]
    public async Task ValidateAsync_UnknownKid_ThrowsInvalidSignature()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentials = new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = "not-published" }, SecurityAlgorithms.EcdsaSha256);

        await AssertRejectedAsync(TestIssuer.Sign(KubernetesPayload(), credentials), "InvalidSignature");
    }

    [Fact]
    public async Task ValidateAsync_AlgNone_ThrowsInvalidSignature()
    {
        await AssertRejectedAsync(TestIssuer.Unsigned(KubernetesPayload()), "InvalidSignature");
    }

    [Fact]
    public async Task ValidateAsync_HmacWithPublicKeyAsSecret_ThrowsInvalidSignature()
    {
        await AssertRejectedAsync(keys.SignWithPublicKeyAsHmacSecret(KubernetesPayload()), "InvalidSignature");
    }

    [Fact]
    public async Task ValidateAsync_SignatureOfOtherToken_ThrowsInvalidSignature()
    {
        // A valid signature spliced onto a changed payload: the signature must cover the payload.
        var genuine = TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials).Split('.');
        var payload = KubernetesPayload();
        payload["sub"] = "system:serviceaccount:kube-system:admin";
        var forged = TestIssuer.Sign(payload, keys.EcCredentials).Split('.');

        await AssertRejectedAsync($"{genuine[0]}.{forged[1]}.{genuine[2]}", "InvalidSignature");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("!!!.@@@.###")]
    [InlineData("a.b.c")]
    [InlineData("...")]
    [InlineData("")]
    public async Task ValidateAsync_NotAJwt_ThrowsMalformedToken(string token)
    {
        await AssertRejectedAsync(token, "MalformedToken");
    }

    [Fact]
    public async Task ValidateAsync_OversizeButValidlySigned_ThrowsMalformedToken()
    {
        var payload = KubernetesPayload();
        payload["padding"] = new string('x', 11_000);
        var fits = TestIssuer.Sign(payload, keys.RsaCredentials);
        payload["padding"] = new string('x', 13_000);
        var tooLong = TestIssuer.Sign(payload, keys.RsaCredentials);
        Assert.True(fits.Length <= JwtValidator.MaxTokenLength);
        Assert.True(tooLong.Length > JwtValidator.MaxTokenLength);

        await validator.ValidateAsync(fits, options, CancellationToken.None);
        await AssertRejectedAsync(tooLong, "MalformedToken");
    }

    [Fact]
    public async Task ValidateAsync_DottedClaimShadowsNestedClaim_ThrowsMalformedToken()
    {
        var payload = KubernetesPayload();
        payload["kubernetes.io.namespace"] = "kube-system";

        await AssertRejectedAsync(TestIssuer.Sign(payload, keys.RsaCredentials), "MalformedToken");
    }

    [Fact]
    public async Task ValidateAsync_JwksFromFile_AcceptsAndFollowsRotation()
    {
        var path = Path.Combine(Path.GetTempPath(), $"coffer-jwks-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, keys.JwksJson);
            var fromFile = options with { JwksJson = null, JwksPath = path };
            fromFile.Validate();
            var jwt = await validator.ValidateAsync(TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials), fromFile, CancellationToken.None);
            Assert.Equal("system:serviceaccount:payments:api", jwt.Subject);

            // The cluster rotates its keys: tokens from the old key stop, tokens from the new key start, without a restart.
            using var rotated = new TestIssuer();
            await File.WriteAllTextAsync(path, rotated.JwksJson);
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(5));
            await validator.ValidateAsync(TestIssuer.Sign(KubernetesPayload(), rotated.RsaCredentials), fromFile, CancellationToken.None);
            var error = await Assert.ThrowsAsync<CofferException>(
                async () => await validator.ValidateAsync(TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials), fromFile, CancellationToken.None));
            Assert.Equal("InvalidSignature", error.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task FromJwt_KubernetesToken_ReturnsServiceAccount()
    {
        var jwt = await validator.ValidateAsync(TestIssuer.Sign(KubernetesPayload(), keys.RsaCredentials), options, CancellationToken.None);

        var account = ServiceAccountName.FromJwt(jwt);

        Assert.Equal(new ServiceAccountName("payments", "api"), account);
        Assert.Equal("system:serviceaccount:payments:api", account.UserName);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:payments"], account.Groups);
    }

    [Theory]
    [InlineData("system:serviceaccount:kube-system:api", "payments", "api")]
    [InlineData("system:serviceaccount:payments:admin", "payments", "api")]
    [InlineData("system:serviceaccount:payments:api", "payments", null)]
    [InlineData("system:serviceaccount:payments:api", null, "api")]
    [InlineData("system:serviceaccount:payments:api:extra", "payments", "api")]
    [InlineData("payments:api", "payments", "api")]
    [InlineData("user@example.com", "payments", "api")]
    public async Task FromJwt_SubjectAndKubernetesClaimDisagree_ThrowsNotAServiceAccount(string subject, string? claimNamespace, string? claimName)
    {
        var payload = KubernetesPayload();
        payload["sub"] = subject;
        var kubernetes = payload["kubernetes.io"]!.AsObject();
        if (claimNamespace is null)
        {
            kubernetes.Remove("namespace");
        }
        else
        {
            kubernetes["namespace"] = claimNamespace;
        }

        if (claimName is null)
        {
            kubernetes.Remove("serviceaccount");
        }
        else
        {
            kubernetes["serviceaccount"]!["name"] = claimName;
        }

        var jwt = await validator.ValidateAsync(TestIssuer.Sign(payload, keys.RsaCredentials), options, CancellationToken.None);

        var error = Assert.Throws<CofferException>(() => ServiceAccountName.FromJwt(jwt));
        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal("NotAServiceAccount", error.Reason);
    }

    /// <summary>The shape of a projected service-account token as the kubelet receives it.</summary>
    private static JsonObject KubernetesPayload() => new()
    {
        ["aud"] = new JsonArray("coffer", "other"),
        ["exp"] = Start.AddMinutes(10).ToUnixTimeSeconds(),
        ["iat"] = Start.ToUnixTimeSeconds(),
        ["iss"] = Issuer,
        ["jti"] = "0d6c3b7c-5e43-4a8e-9d1d-9a4f7c2b1e11",
        ["kubernetes.io"] = new JsonObject
        {
            ["namespace"] = "payments",
            ["node"] = new JsonObject { ["name"] = "node-1", ["uid"] = "5b1f7a9e-3c0d-4b8a-8e2f-1a2b3c4d5e6f" },
            ["pod"] = new JsonObject { ["name"] = "api-7d9f", ["uid"] = "8c2e4f6a-1b3d-4e5f-9a7b-0c1d2e3f4a5b" },
            ["serviceaccount"] = new JsonObject { ["name"] = "api", ["uid"] = "2f4e6a8c-0b1d-4c3e-8f5a-7b9c1d3e5f7a" },
            ["warnafter"] = Start.AddMinutes(5).ToUnixTimeSeconds(),
        },
        ["nbf"] = Start.ToUnixTimeSeconds(),
        ["sub"] = "system:serviceaccount:payments:api",
    };

    private async Task AssertRejectedAsync(string token, string reason)
    {
        var error = await Assert.ThrowsAsync<CofferException>(async () => await validator.ValidateAsync(token, options, CancellationToken.None));

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal(reason, error.Reason);
        foreach (var segment in token.Split('.').Where(s => s.Length >= 4))
        {
            Assert.DoesNotContain(segment, error.Message, StringComparison.Ordinal);
        }
    }
}
