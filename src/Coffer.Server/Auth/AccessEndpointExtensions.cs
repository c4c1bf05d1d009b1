using Coffer.Core.Errors;

namespace Coffer.Server.Auth;

internal static class AccessEndpointExtensions
{
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string verb, string resource)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(verb, resource));

    /// <summary>A list that shows callers without <paramref name="verb"/> only what they may get.</summary>
    public static TBuilder RequireFilteredList<TBuilder>(this TBuilder builder, string verb, string resource)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(verb, resource, FilteredList: true));

    /// <summary>Any authenticated caller; the endpoint asks <see cref="IAccessAuthorizer"/> about each object itself.</summary>
    public static TBuilder RequireAuthenticated<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(string.Empty, string.Empty));

    public static CallerIdentity Caller(this HttpContext context) =>
        context.Items[typeof(CallerIdentity)] as CallerIdentity
            ?? throw new CofferException(ErrorKind.Unauthenticated, "Unauthorized", "a bearer token is required");
}
