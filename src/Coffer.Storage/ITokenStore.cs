using Coffer.Core.Tokens;

namespace Coffer.Storage;

public interface ITokenStore
{
    Task AddAsync(TokenRecord token, CancellationToken cancellationToken);

    Task<TokenRecord?> FindAsync(byte[] hash, CancellationToken cancellationToken);

    Task<TokenRecord?> FindByAccessorAsync(string accessor, CancellationToken cancellationToken);

    Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Moves a token's expiry; false if there is no such token.</summary>
    Task<bool> RenewAsync(string accessor, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Deletes the token, and with <paramref name="withDescendants"/> every token created from it, at any depth; returns the accessors revoked.</summary>
    Task<IReadOnlyList<string>> RevokeAsync(string accessor, bool withDescendants, CancellationToken cancellationToken);
}
