using Coffer.Core.Errors;

namespace Coffer.Server.Auth;

internal static class AccessEndpointExtensions
{
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string verb, string resource)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(verb, resource));

    public static CallerIdentity Caller(this HttpContext context) =>
        context.Items[typeof(CallerIdentity)] as CallerIdentity
            ?? throw new CofferException(ErrorKind.Unauthenticated, "Unauthorized", "a bearer token is required");
}
