using System.Collections.Concurrent;
using System.Security.Cryptography;
using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Tokens;
using Coffer.Storage;

namespace Coffer.Server.Auth;

/// <summary>
/// Turns a bearer token into an identity. Known tokens are cached by hash (the token itself is never kept) for at most
/// <see cref="CacheAge"/>, so a revocation made by another replica takes effect within it; one made here at once.
/// </summary>
internal sealed class TokenAuthenticator(ITokenStore tokens, TimeProvider time)
{
    public static readonly TimeSpan CacheAge = TimeSpan.FromSeconds(5);
    private const int CacheLimit = 10_000;
    private readonly ConcurrentDictionary<string, Cached> cache = new(StringComparer.Ordinal);

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

        var record = await FindAsync(header[7..].Trim(), cancellationToken).ConfigureAwait(false);
        return new CallerIdentity(record.Accessor, PrincipalOf(record));
    }

    /// <summary>The record of a live token, or 401.</summary>
    public async ValueTask<TokenRecord> FindAsync(string token, CancellationToken cancellationToken)
    {
        var hash = IssuedToken.Hash(token);
        var key = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        TokenRecord? record;
        if (cache.TryGetValue(key, out var cached) && now - cached.At < CacheAge)
        {
            record = cached.Record;
        }
        else
        {
            record = await tokens.FindAsync(hash, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                cache.TryRemove(key, out _);
            }
            else if (cache.Count < CacheLimit || cache.ContainsKey(key))
            {
                cache[key] = new Cached(record, now);
            }
        }

        if (record is null || !CryptographicOperations.FixedTimeEquals(record.Hash, hash))
        {
            throw Unauthenticated("the token is not valid");
        }

        if (record.ExpiresAt is { } expires && expires <= now)
        {
            cache.TryRemove(key, out _);
            throw Unauthenticated("the token has expired");
        }

        return record;
    }

    /// <summary>Drops revoked or renewed tokens from the cache, so this replica sees the change at once.</summary>
    public void Forget(IReadOnlyCollection<string> accessors)
    {
        foreach (var (key, cached) in cache)
        {
            if (accessors.Contains(cached.Record.Accessor))
            {
                cache.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Every authenticated caller is in this group, as in Kubernetes.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    public static Principal PrincipalOf(TokenRecord record) =>
        new(UserOf(record), [.. record.Groups, AuthenticatedGroup], record.Roles, record.IsRoot);

    /// <summary>Tokens minted before identities existed, and the root token, get a stable name.</summary>
    public static string UserOf(TokenRecord record) =>
        record.User.Length > 0 ? record.User : record.IsRoot ? "root" : $"token:{record.DisplayName}";

    private static CofferException Unauthenticated(string message) =>
        new(ErrorKind.Unauthenticated, "Unauthorized", message);

    private sealed record Cached(TokenRecord Record, DateTimeOffset At);
}
