using System.Text.Json;
using Coffer.Core.Errors;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Auth.Jwt;

/// <summary>
/// One trusted JWT issuer, such as a cluster's service-account issuer: who signs, for whom, and with which keys.
/// </summary>
internal sealed record JwtIssuerOptions
{
    /// <summary>The most clock drift we tolerate; beyond this a skew hides a broken clock rather than absorbing jitter.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The exact <c>iss</c> value tokens must carry.</summary>
    public required string Issuer { get; init; }

    /// <summary>Tokens must name at least one of these in <c>aud</c>.</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>A JWKS JSON file, re-read when it changes so that key rotation needs no restart.</summary>
    public string? JwksPath { get; init; }

    /// <summary>An inline JWKS JSON document.</summary>
    public string? JwksJson { get; init; }

    /// <summary>Where the issuer publishes its JWKS (such as the cluster's <c>/openid/v1/jwks</c>); fetched on first use and refreshed every <see cref="JwksRefresh"/>.</summary>
    public Uri? JwksUrl { get; init; }

    public TimeSpan JwksRefresh { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the options once at startup so that a bad configuration fails loudly, not on the first request.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Issuer))
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "the JWT issuer must not be empty", "issuer");
        }

        if (Audiences is null || Audiences.Count == 0)
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "the JWT issuer needs at least one audience", "audiences");
        }

        if (Audiences.Any(string.IsNullOrWhiteSpace))
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "JWT audiences must not be empty", "audiences");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "the clock skew must be between 0 and 5 minutes", "clockSkew");
        }

        if (JwksUrl is not null)
        {
            if (JwksPath is not null || JwksJson is not null)
            {
                throw CofferException.Invalid("InvalidJwtIssuer", "give one of jwksPath, jwksJson or jwksUrl", "jwksUrl");
            }

            if (JwksUrl.Scheme != Uri.UriSchemeHttps && !JwksUrl.IsLoopback)
            {
                throw CofferException.Invalid("InvalidJwtIssuer", "jwksUrl must be https (plain http only on loopback)", "jwksUrl");
            }

            // Fetched on first use: a start must not hang on the network.
            return;
        }

        if (JwksPath is null && JwksJson is null)
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "give the issuer's keys as jwksPath or jwksJson", "jwksPath");
        }

        if (JwksPath is not null && JwksJson is not null)
        {
            throw CofferException.Invalid("InvalidJwtIssuer", "give jwksPath or jwksJson, not both", "jwksJson");
        }

        _ = LoadSigningKeys();
    }

    /// <summary>Reads and parses the configured key set; only RSA and EC keys are kept, so a symmetric key can never verify a token.</summary>
    internal IReadOnlyList<SecurityKey> LoadSigningKeys()
    {
        string json;
        string field;
        if (JwksPath is not null)
        {
            field = "jwksPath";
            try
            {
                json = File.ReadAllText(JwksPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw CofferException.Invalid("InvalidJwks", "the JWKS file cannot be read", field);
            }
        }
        else
        {
            field = "jwksJson";
            json = JwksJson ?? string.Empty;
        }

        return ParseSigningKeys(json, field);
    }

    internal static IReadOnlyList<SecurityKey> ParseSigningKeys(string json, string field)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw CofferException.Invalid("InvalidJwks", "the key set is not a JWKS JSON document", field);
        }

        var asymmetric = new JsonWebKeySet();
        foreach (var key in set.Keys)
        {
            if (key.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            {
                asymmetric.Keys.Add(key);
            }
        }

        var keys = asymmetric.GetSigningKeys();
        if (keys.Count == 0)
        {
            throw CofferException.Invalid("InvalidJwks", "the key set holds no usable RSA or EC public key", field);
        }

        return [.. keys];
    }
}
