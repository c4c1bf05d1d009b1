using Coffer.Core.Access;

namespace Coffer.Core.Tokens;

/// <summary>A token as stored: its SHA-256 hash, never the token itself.</summary>
/// <param name="Accessor">A public handle for the token, safe to log and audit.</param>
/// <param name="ParentAccessor">The token that created this one; revoking it with its descendants revokes this one too.</param>
public sealed record TokenRecord(
    byte[] Hash,
    string Accessor,
    string DisplayName,
    bool IsRoot,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string? ParentAccessor)
{
    /// <summary>The user name RBAC subjects match, such as <c>system:serviceaccount:shop:api</c> or <c>alice</c>.</summary>
    public string User { get; init; } = string.Empty;

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Roles bound to the token itself, on top of any bindings to its user and groups.</summary>
    public IReadOnlyList<BoundRole> Roles { get; init; } = [];

    /// <summary>Whether <see cref="Ttl"/> may be extended again, up to <see cref="MaxExpiresAt"/>.</summary>
    public bool Renewable { get; init; }

    /// <summary>How far a renewal moves the expiry; null for tokens created without a TTL.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>No renewal goes past this.</summary>
    public DateTimeOffset? MaxExpiresAt { get; init; }
}
