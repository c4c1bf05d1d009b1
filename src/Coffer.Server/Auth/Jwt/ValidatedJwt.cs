namespace Coffer.Server.Auth.Jwt;

/// <summary>A JWT whose signature, issuer, audience and lifetime have been checked.</summary>
/// <param name="Claims">
/// String claims and string arrays; nested objects are flattened with dots (<c>kubernetes.io.namespace</c>)
/// so that policy can name any claim with one string.
/// </param>
internal sealed record ValidatedJwt(
    string Subject,
    string Issuer,
    DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Claims);
