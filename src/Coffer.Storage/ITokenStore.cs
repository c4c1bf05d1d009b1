using Coffer.Core.Tokens;

namespace Coffer.Storage;

public interface ITokenStore
{
    Task AddAsync(TokenRecord token, CancellationToken cancellationToken);

    Task<TokenRecord?> FindAsync(byte[] hash, CancellationToken cancellationToken);
}
