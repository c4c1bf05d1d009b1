using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Server.Access;
using Coffer.Server.Audit;
using Microsoft.AspNetCore.Authorization;

namespace Coffer.Server.Auth;

/// <summary>
/// The single authorisation point: every routed endpoint either allows anonymous access or declares
/// the access it needs; the caller is authenticated and the authorizer asked. Anything else is refused.
/// A refusal reads the same whether or not the object exists: the check runs before any lookup.
/// </summary>
internal sealed class AccessMiddleware(RequestDelegate next, TokenAuthenticator authenticator, IAccessAuthorizer authorizer, AccessPolicySource policies)
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
        context.Items[typeof(CallerIdentity)] = caller;
        if (required.ChecksItself)
        {
            context.Items[typeof(AuditFacts)] = new AuditFacts(null, null, null, null, "checked by the endpoint", null);
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = new AccessAttributes(
            required.Verb,
            required.Resource,
            context.Request.RouteValues["namespace"] as string,
            context.Request.RouteValues["name"] as string);
        var verdict = await authorizer.AuthorizeAsync(caller, request, context.RequestAborted).ConfigureAwait(false);
        context.Items[typeof(AuditFacts)] = new AuditFacts(request.Verb, request.Resource, request.Namespace, request.Name, verdict.Allowed ? "allow" : "deny", verdict.Reason);
        if (!verdict.Allowed)
        {
            if (!required.FilteredList || (request.Namespace is { } listed && !await MaySeeNamespaceAsync(caller, listed, context.RequestAborted).ConfigureAwait(false)))
            {
                throw Forbidden(caller, request);
            }

            var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
            var ns = request.Namespace;
            var resource = required.Resource;

            // A cluster-wide list (of namespaces) shows the ones the caller has any rule in; a namespaced one, what they may get.
            context.Items[typeof(VisibleNames)] = new VisibleNames(ns is null
                ? name => policy.MaySeeNamespace(caller.Principal, name)
                : name => policy.Check(caller.Principal, new AccessAttributes("get", resource, ns, name)).Allowed);
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The same words for a missing object and a forbidden one, so a refusal reveals nothing.</summary>
    public static CofferException Forbidden(CallerIdentity caller, AccessAttributes request) =>
        new(ErrorKind.Forbidden, "Forbidden", $"{caller.Name} may not {request.Verb} {request.Resource}{(request.Namespace is null ? string.Empty : $" in namespace {request.Namespace}")}");

    private async Task<bool> MaySeeNamespaceAsync(CallerIdentity caller, string ns, CancellationToken cancellationToken) =>
        caller.IsRoot || (await policies.CurrentAsync(cancellationToken).ConfigureAwait(false)).MaySeeNamespace(caller.Principal, ns);
}
