using Coffer.Server.Auth.Jwt;

namespace Coffer.Server.Auth;

/// <summary>The JWT issuers the server trusts for logins, checked once at startup.</summary>
internal sealed class LoginMethods
{
    public LoginMethods(CofferServerOptions options)
    {
        Kubernetes = Issuer(options.KubernetesAuth);
        Oidc = Issuer(options.OidcAuth);
        OidcSettings = options.OidcAuth;
    }

    public JwtIssuerOptions? Kubernetes { get; }

    public JwtIssuerOptions? Oidc { get; }

    public IdentityProviderOptions? OidcSettings { get; }

    private static JwtIssuerOptions? Issuer(IdentityProviderOptions? provider)
    {
        if (provider is null)
        {
            return null;
        }

        var issuer = new JwtIssuerOptions { Issuer = provider.Issuer, Audiences = provider.Audiences, JwksPath = provider.JwksPath };
        issuer.Validate();
        return issuer;
    }
}
