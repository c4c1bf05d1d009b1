namespace Coffer.Core.Tokens;

/// <summary>A token as stored: its SHA-256 hash, never the token itself.</summary>
/// <param name="Accessor">A public handle for the token, safe to log and audit.</param>
public sealed record TokenRecord(
    byte[] Hash,
    string Accessor,
    string DisplayName,
    bool IsRoot,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string? ParentAccessor);
