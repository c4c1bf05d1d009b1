namespace Coffer.Core.Access;

/// <summary>What an access review needs to know of a live token.</summary>
public sealed record ReviewedToken(string Accessor, string DisplayName, string User, bool IsRoot, DateTimeOffset? ExpiresAt);
