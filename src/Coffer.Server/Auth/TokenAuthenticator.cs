using System.Collections.Concurrent;
using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Core.Tokens;
using Coffer.Storage;

namespace Coffer.Server.Auth;

/// <summary>Turns a bearer token into an identity. Known tokens are cached by hash; the token itself is never kept.</summary>
internal sealed class TokenAuthenticator(ITokenStore tokens, TimeProvider time)
{
    private const int CacheLimit = 10_000;
    private readonly ConcurrentDictionary<string, TokenRecord> cache = new(StringComparer.Ordinal);

    public async ValueTask<CallerIdentity> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            throw Unauthenticated("a bearer token is required (Authorization: Bearer cfr_...)");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 7 + IssuedToken.MaxLength)
        {
            throw Unauthenticated("the Authorization header must be 'Bearer <token>'");
        }

        var hash = IssuedToken.Hash(header[7..].Trim());
        var key = Convert.ToHexString(hash);
        if (!cache.TryGetValue(key, out var record))
        {
            record = await tokens.FindAsync(hash, cancellationToken).ConfigureAwait(false);
            if (record is not null && cache.Count < CacheLimit)
            {
                cache[key] = record;
            }
        }

        if (record is null || !CryptographicOperations.FixedTimeEquals(record.Hash, hash))
        {
            throw Unauthenticated("the token is not valid");
        }

        if (record.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            cache.TryRemove(key, out _);
            throw Unauthenticated("the token has expired");
        }

        return new CallerIdentity(record.IsRoot ? "root" : $"token:{record.DisplayName}", record.Accessor, record.IsRoot);
    }

    private static CofferException Unauthenticated(string message) =>
        new(ErrorKind.Unauthenticated, "Unauthorized", message);
}
