namespace Coffer.Server.Auth;

internal sealed record TokenList(IReadOnlyList<TokenResponse> Items);
