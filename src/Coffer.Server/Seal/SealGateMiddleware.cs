using Coffer.Server.Api;

namespace Coffer.Server.Seal;

/// <summary>While sealed, everything but health, metrics, seal status, init and unseal gets 503.</summary>
internal sealed class SealGateMiddleware(RequestDelegate next, SealState seal)
{
    private static readonly string[] OpenWhileSealed =
        ["/healthz", "/readyz", "/metrics", "/v1/sys/seal-status", "/v1/sys/init", "/v1/sys/unseal"];

    public Task InvokeAsync(HttpContext context)
    {
        if (seal.IsSealed && !OpenWhileSealed.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            return ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Sealed", "Coffer is sealed; unseal it with 'coffer operator unseal'", null);
        }

        return next(context);
    }
}
