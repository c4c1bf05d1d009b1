namespace Coffer.Server.Auth;

/// <param name="Jwt">An ID token from the configured identity provider.</param>
internal sealed record OidcLoginRequest(string? Jwt);
