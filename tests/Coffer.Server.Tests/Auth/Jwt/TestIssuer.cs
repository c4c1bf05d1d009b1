using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Tests.Auth.Jwt;

/// <summary>A JWT issuer with fresh RSA and EC keys, publishing only their public halves as a JWKS.</summary>
internal sealed class TestIssuer : IDisposable
{
    public const string RsaKeyId = "rsa-1";
    public const string EcKeyId = "ec-1";

    // Default times off: every time in a test token is written by the test, never taken from the wall clock.
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TestIssuer()
    {
        Rsa = RSA.Create(2048);
        Ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rsaPublic = Rsa.ExportParameters(includePrivateParameters: false);
        var ecPublic = Ec.ExportParameters(includePrivateParameters: false);
        JwksJson = new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = RsaKeyId,
                    ["n"] = Base64UrlEncoder.Encode(rsaPublic.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(rsaPublic.Exponent),
                },
                new JsonObject
                {
                    ["kty"] = "EC",
                    ["use"] = "sig",
                    ["alg"] = "ES256",
                    ["kid"] = EcKeyId,
                    ["crv"] = "P-256",
                    ["x"] = Base64UrlEncoder.Encode(ecPublic.Q.X),
                    ["y"] = Base64UrlEncoder.Encode(ecPublic.Q.Y),
                }),
        }.ToJsonString();
    }

    public RSA Rsa { get; }

    public ECDsa Ec { get; }

    public string JwksJson { get; }

    public SigningCredentials RsaCredentials => new(new RsaSecurityKey(Rsa) { KeyId = RsaKeyId }, SecurityAlgorithms.RsaSha256);

    public SigningCredentials EcCredentials => new(new ECDsaSecurityKey(Ec) { KeyId = EcKeyId }, SecurityAlgorithms.EcdsaSha256);

    public static string Sign(JsonObject payload, SigningCredentials credentials) =>
        Handler.CreateToken(payload.ToJsonString(), credentials);

    /// <summary>An unsigned token, as an attacker hoping for <c>alg: none</c> acceptance would send it.</summary>
    public static string Unsigned(JsonObject payload) =>
        $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT","kid":"rsa-1"}""")}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.";

    /// <summary>HMAC keyed with the issuer's public key: the classic algorithm-confusion forgery.</summary>
    public string SignWithPublicKeyAsHmacSecret(JsonObject payload)
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = RsaKeyId };
        return Sign(payload, new SigningCredentials(secret, SecurityAlgorithms.HmacSha256));
    }

    public void Dispose()
    {
        Rsa.Dispose();
        Ec.Dispose();
    }
}
