namespace Coffer.Server.Auth;

/// <param name="Increment">How far from now to move the expiry; defaults to the token's TTL. Never past its maximum.</param>
internal sealed record TokenRenewRequest(string? Increment = null);
