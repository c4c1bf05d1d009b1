using System.Runtime.CompilerServices;
using System.Text.Json;
using Coffer.Core.Errors;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Auth.Jwt;

/// <summary>
/// Checks a JWT offline against one issuer's published keys. Failures never echo the token or any part of it,
/// because a rejected token may still be valid somewhere else.
/// </summary>
internal sealed class JwtValidator(TimeProvider time)
{
    /// <summary>Far above any real service-account token (about 1 KiB); bounds the work an anonymous caller can cause.</summary>
    public const int MaxTokenLength = 16 * 1024;

    // Asymmetric algorithms only: with an HMAC algorithm allowed, a public key could be abused as a shared secret.
    private static readonly string[] AllowedAlgorithms =
    [
        SecurityAlgorithms.RsaSha256,
        SecurityAlgorithms.RsaSha384,
        SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256,
        SecurityAlgorithms.RsaSsaPssSha384,
        SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256,
        SecurityAlgorithms.EcdsaSha384,
        SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    // Keyed by the options instance so that each configured issuer parses its key set once, not per request.
    private readonly ConditionalWeakTable<JwtIssuerOptions, KeyCache> keyCaches = [];

    public async ValueTask<ValidatedJwt> ValidateAsync(string jwt, JwtIssuerOptions issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(issuer);
        cancellationToken.ThrowIfCancellationRequested();

        // Checked before any parsing so an oversized token costs nothing.
        if (jwt.Length == 0 || jwt.Length > MaxTokenLength)
        {
            throw Fail("MalformedToken", "the token is not a JWT of acceptable size");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudiences = issuer.Audiences,
            ValidateIssuer = true,
            ValidateAudience = true,
            RequireAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            IssuerSigningKeys = await keyCaches.GetValue(issuer, options => new KeyCache(options, time)).CurrentAsync(cancellationToken).ConfigureAwait(false),
            ValidAlgorithms = AllowedAlgorithms,
            ClockSkew = issuer.ClockSkew,
            // The library's own lifetime check reads the wall clock; this one reads the injected clock.
            LifetimeValidator = (notBefore, expires, _, _) => CheckLifetime(notBefore, expires, issuer.ClockSkew),
            SaveSigninToken = false,
            IncludeTokenOnFailedValidation = false,
            LogValidationExceptions = false,
        };

        var result = await handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            throw Map(result.Exception);
        }

        // The library does not check iat; a token issued in the future means a broken or hostile issuer clock.
        if (token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAt)
            && DateTimeOffset.FromUnixTimeSeconds(issuedAt) > time.GetUtcNow() + issuer.ClockSkew)
        {
            throw Fail("TokenNotYetValid", "the token was issued in the future");
        }

        if (string.IsNullOrEmpty(token.Subject))
        {
            throw Fail("MalformedToken", "the token has no subject");
        }

        return new ValidatedJwt(
            token.Subject,
            token.Issuer,
            Utc(token.ValidTo),
            FlattenClaims(token.EncodedPayload));
    }

    // Throwing the library's own exception types keeps the expired / not-yet-valid distinction that a bare false would lose.
    private bool CheckLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("no expiry");
        }

        var now = time.GetUtcNow();
        if (notBefore is { } nbf && Utc(nbf) > now + skew)
        {
            throw new SecurityTokenNotYetValidException("not valid yet");
        }

        if (Utc(expires.Value) <= now - skew)
        {
            throw new SecurityTokenExpiredException("expired");
        }

        return true;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static CofferException Map(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => Fail("TokenExpired", "the token has expired"),
        SecurityTokenNotYetValidException => Fail("TokenNotYetValid", "the token is not valid yet"),
        SecurityTokenNoExpirationException => Fail("MalformedToken", "the token has no expiry"),
        SecurityTokenInvalidLifetimeException => Fail("MalformedToken", "the token's lifetime is invalid"),
        SecurityTokenInvalidIssuerException => Fail("InvalidIssuer", "the token is from an issuer that is not trusted here"),
        SecurityTokenInvalidAudienceException => Fail("InvalidAudience", "the token is not meant for this audience"),
        SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException or SecurityTokenInvalidSigningKeyException
            => Fail("InvalidSignature", "the token's signature is not valid"),
        _ => Fail("MalformedToken", "the token is not a well-formed JWT"),
    };

    private static CofferException Fail(string reason, string message) =>
        new(ErrorKind.Unauthenticated, reason, message);

    private static Dictionary<string, IReadOnlyList<string>> FlattenClaims(string encodedPayload)
    {
        var claims = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
        Flatten(document.RootElement, prefix: null, claims);
        return claims;
    }

    private static void Flatten(JsonElement element, string? prefix, Dictionary<string, IReadOnlyList<string>> claims)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix is null ? property.Name : $"{prefix}.{property.Name}";

            // A duplicate key, or a dotted top-level claim shadowing a nested one, would make the claim's value depend on
            // which parser reads it; such a token is refused rather than read one way here and another way elsewhere.
            if (claims.ContainsKey(name))
            {
                throw Fail("MalformedToken", "the token has conflicting claim names");
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(property.Value, name, claims);
                    break;
                case JsonValueKind.Array:
                    // Only scalar members are kept; objects inside arrays have no dotted name to live under.
                    claims[name] = [.. property.Value.EnumerateArray().Select(Scalar).OfType<string>()];
                    break;
                default:
                    if (Scalar(property.Value) is { } value)
                    {
                        claims[name] = [value];
                    }

                    break;
            }
        }
    }

    // Numbers and booleans keep their JSON spelling (exp, warnafter) so nothing readable is lost.
    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => null,
    };

    /// <summary>
    /// One issuer's keys. A JWKS file is re-read when its modification time changes, a JWKS URL fetched again after its
    /// refresh interval, so that rotated keys apply without a restart; a failed reload keeps the last good keys.
    /// </summary>
    private sealed class KeyCache(JwtIssuerOptions options, TimeProvider time)
    {
        private static readonly HttpClient Fetcher = new() { Timeout = TimeSpan.FromSeconds(10) };
        private readonly SemaphoreSlim gate = new(1, 1);
        private IReadOnlyList<SecurityKey>? keys;
        private DateTime loadedWriteTime;
        private DateTimeOffset fetchedAt;

        public async ValueTask<IReadOnlyList<SecurityKey>> CurrentAsync(CancellationToken cancellationToken)
        {
            var writeTime = options.JwksPath is null ? default : File.GetLastWriteTimeUtc(options.JwksPath);
            var fresh = options.JwksUrl is null ? writeTime == loadedWriteTime : time.GetUtcNow() - fetchedAt < options.JwksRefresh;
            if (keys is { } current && fresh)
            {
                return current;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                try
                {
                    keys = options.JwksUrl is { } url ? await FetchAsync(url, cancellationToken).ConfigureAwait(false) : options.LoadSigningKeys();
                    loadedWriteTime = writeTime;
                    fetchedAt = time.GetUtcNow();
                }
                catch (CofferException) when (keys is not null)
                {
                    // A file caught mid-rewrite or an issuer briefly down must not lock everyone out; retry next time.
                }
                catch (CofferException)
                {
                    throw new CofferException(ErrorKind.Unavailable, "JwksUnavailable", "the issuer's key set cannot be read");
                }

                return keys!;
            }
            finally
            {
                gate.Release();
            }
        }

        private static async Task<IReadOnlyList<SecurityKey>> FetchAsync(Uri url, CancellationToken cancellationToken)
        {
            string json;
            try
            {
                json = await Fetcher.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw CofferException.Invalid("InvalidJwks", "the JWKS URL cannot be fetched", "jwksUrl");
            }

            return JwtIssuerOptions.ParseSigningKeys(json, "jwksUrl");
        }
    }
}
