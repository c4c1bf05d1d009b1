namespace Coffer.Server.Auth;

/// <param name="Token">Only present in the answer to creation.</param>
internal sealed record TokenResponse(string? Token, string Accessor, string DisplayName, bool Root, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
