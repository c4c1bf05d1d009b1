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
        if (options.KubernetesTokenReview is { } review)
        {
            TokenReview = new TokenReviewClient(ReviewHttpClient(review));
            ReviewAudiences = review.Audiences;
        }
    }

    public TokenReviewClient? TokenReview { get; }

    public IReadOnlyList<string> ReviewAudiences { get; } = [];

    public JwtIssuerOptions? Kubernetes { get; }

    public JwtIssuerOptions? Oidc { get; }

    public IdentityProviderOptions? OidcSettings { get; }

    /// <summary>Coffer's own credentials for the API server: its token as bearer, and the cluster's CA if given.</summary>
    private static HttpClient ReviewHttpClient(TokenReviewOptions review)
    {
        var handler = new SocketsHttpHandler();
        if (review.CaPath is { } caPath)
        {
            var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(caPath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None
                    && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
            };
        }

        HttpMessageHandler pipeline = review.TokenPath is { } tokenPath ? new FileBearerHandler(tokenPath) { InnerHandler = handler } : handler;
        return new HttpClient(pipeline) { BaseAddress = review.ApiServer, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Reads the bearer token per request: the kubelet rotates a pod's projected token, so a copy taken at start goes stale.</summary>
    private sealed class FileBearerHandler(string path) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string token;
            try
            {
                token = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Reported like an unreachable API server: the review cannot be made.
                throw new HttpRequestException("Coffer's own Kubernetes token cannot be read", e);
            }

            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private static JwtIssuerOptions? Issuer(IdentityProviderOptions? provider)
    {
        if (provider is null)
        {
            return null;
        }

        var url = provider.JwksPath.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || provider.JwksPath.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? (Uri.TryCreate(provider.JwksPath, UriKind.Absolute, out var parsed) ? parsed : throw Core.Errors.CofferException.Invalid("InvalidJwtIssuer", "the JWKS URL is not a valid URL", "jwks"))
            : null;
        var issuer = new JwtIssuerOptions { Issuer = provider.Issuer, Audiences = provider.Audiences, JwksPath = url is null ? provider.JwksPath : null, JwksUrl = url };
        issuer.Validate();
        return issuer;
    }
}
