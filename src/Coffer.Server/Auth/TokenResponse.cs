using Coffer.Core.Access;

namespace Coffer.Server.Auth;

/// <param name="Token">Only present in the answer to creation.</param>
internal sealed record TokenResponse(
    string? Token,
    string Accessor,
    string DisplayName,
    bool Root,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string User = "",
    IReadOnlyList<string>? Groups = null,
    IReadOnlyList<BoundRole>? Roles = null,
    bool Renewable = false,
    DateTimeOffset? MaxExpiresAt = null,
    string? ParentAccessor = null);
