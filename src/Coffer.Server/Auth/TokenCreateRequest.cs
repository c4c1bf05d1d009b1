namespace Coffer.Server.Auth;

/// <param name="Ttl">A duration such as <c>30m</c>, <c>12h</c> or <c>7d</c>; absent means no expiry (root only).</param>
/// <param name="MaxTtl">How far renewals may take the token from its creation; defaults to <paramref name="Ttl"/>.</param>
/// <param name="User">The identity the token carries; only root may choose it, others' tokens carry their own.</param>
internal sealed record TokenCreateRequest(
    string? DisplayName,
    string? Ttl,
    string? MaxTtl = null,
    bool Renewable = false,
    IReadOnlyList<TokenRoleRequest>? Roles = null,
    string? User = null,
    IReadOnlyList<string>? Groups = null);
