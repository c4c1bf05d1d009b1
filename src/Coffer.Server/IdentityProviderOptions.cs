namespace Coffer.Server;

/// <summary>A trusted JWT issuer for logins: a cluster's service-account issuer, or a people's OIDC identity provider.</summary>
public sealed record IdentityProviderOptions
{
    /// <summary>The exact <c>iss</c> of accepted tokens.</summary>
    public required string Issuer { get; init; }

    /// <summary>The issuer's public keys: a JWKS JSON file, or an https URL that serves one (such as the cluster's <c>/openid/v1/jwks</c>).</summary>
    public required string JwksPath { get; init; }

    /// <summary>Tokens must be meant for one of these.</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>The claim that names the user (OIDC only).</summary>
    public string UsernameClaim { get; init; } = "sub";

    /// <summary>The claim that lists the user's groups (OIDC only).</summary>
    public string GroupsClaim { get; init; } = "groups";

    /// <summary>How long a token minted at login lives (OIDC; service-account logins take their login role's).</summary>
    public TimeSpan TokenTtl { get; init; } = TimeSpan.FromHours(1);
}
