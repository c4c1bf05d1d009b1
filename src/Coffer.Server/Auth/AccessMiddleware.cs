using Coffer.Core.Errors;
using Microsoft.AspNetCore.Authorization;

namespace Coffer.Server.Auth;

/// <summary>
/// The single authorisation point: every routed endpoint either allows anonymous access or declares
/// the access it needs; the caller is authenticated and the authorizer asked. Anything else is refused.
/// </summary>
internal sealed class AccessMiddleware(RequestDelegate next, TokenAuthenticator authenticator, IAccessAuthorizer authorizer)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        // Routing's own 405 and 415 answers are plain endpoints, not route endpoints: they do nothing to let through.
        if (endpoint is not RouteEndpoint || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var required = endpoint.Metadata.GetMetadata<RequiredAccess>()
            ?? throw new CofferException(ErrorKind.Forbidden, "Forbidden", "this endpoint declares no access rule");
        var caller = await authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var request = new AccessRequest(
            required.Verb,
            required.Resource,
            context.Request.RouteValues["namespace"] as string,
            context.Request.RouteValues["name"] as string);
        var decision = await authorizer.AuthorizeAsync(caller, request, context.RequestAborted).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            throw new CofferException(ErrorKind.Forbidden, "Forbidden", $"{caller.Name} may not {request.Verb} {request.Resource}");
        }

        context.Items[typeof(CallerIdentity)] = caller;
        await next(context).ConfigureAwait(false);
    }
}
