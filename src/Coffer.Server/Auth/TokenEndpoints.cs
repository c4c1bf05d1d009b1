using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Core.Tokens;
using Coffer.Server.Access;
using Coffer.Server.Api;
using Coffer.Storage;

namespace Coffer.Server.Auth;

/// <summary>
/// The token lifecycle: create (with TTL, maximum TTL, renewable, roles), look up, renew, revoke alone or with
/// every token created from it. A caller may always see, renew and revoke its own token.
/// </summary>
internal static class TokenEndpoints
{
    public const string Resource = "tokens";
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(366);

    public static void Map(IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/v1/tokens").WithTags("Tokens");
        tokens.MapPost("", CreateAsync).RequireAccess("create", Resource).Accepts<TokenCreateRequest>("application/json").Produces<TokenResponse>(StatusCodes.Status201Created);
        tokens.MapGet("", ListAsync).RequireAccess("list", Resource).Produces<TokenList>();
        tokens.MapGet("/self", (HttpContext c, ITokenStore s, IAccessAuthorizer a) => LookupAsync(c, s, a, c.Caller().Accessor)).RequireAuthenticated().Produces<TokenResponse>();
        tokens.MapGet("/{accessor}", (HttpContext c, ITokenStore s, IAccessAuthorizer a, string accessor) => LookupAsync(c, s, a, accessor)).RequireAuthenticated().Produces<TokenResponse>();
        tokens.MapPost("/{accessor}/renew", RenewAsync).RequireAuthenticated().Accepts<TokenRenewRequest>("application/json").Produces<TokenResponse>();
        tokens.MapDelete("/{accessor}", RevokeAsync).RequireAuthenticated().Produces<TokenRevoked>();
    }

    private static async Task CreateAsync(HttpContext context, ITokenStore store, IAccessStore access, AccessPolicySource policies, TimeProvider time)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.TokenCreateRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var caller = context.Caller();
        var parent = await store.FindByAccessorAsync(caller.Accessor, context.RequestAborted).ConfigureAwait(false)
            ?? throw new CofferException(ErrorKind.Unauthenticated, "Unauthorized", "the token is not valid");
        var displayName = request.DisplayName ?? "token";
        if (displayName.Length is 0 or > 128 || displayName.Any(char.IsControl))
        {
            throw CofferException.Invalid("InvalidField", "displayName must be 1 to 128 printable characters", "displayName");
        }

        if (!caller.IsRoot && (request.User is not null || request.Groups is not null))
        {
            throw new CofferException(ErrorKind.Forbidden, "Forbidden", "only root may choose a token's user or groups; your tokens carry your own identity");
        }

        var roles = ValidateRoles(request.Roles);
        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        GrantLimit.RequireHoldsRoles(policy, caller, roles, "a token role");

        var now = time.GetUtcNow();
        var ttl = request.Ttl is null ? (TimeSpan?)null : ParseDuration(request.Ttl, "ttl");
        var maxTtl = request.MaxTtl is null ? ttl : ParseDuration(request.MaxTtl, "maxTtl");
        if (ttl is null && !caller.IsRoot)
        {
            throw CofferException.Invalid("MissingField", "ttl is required: only root may create tokens that never expire", "ttl");
        }

        if (ttl > maxTtl)
        {
            throw CofferException.Invalid("InvalidField", "ttl must not exceed maxTtl", "ttl");
        }

        // A child never outlives its parent.
        var expires = Earliest(now + ttl, parent.ExpiresAt);
        var maxExpires = Earliest(now + maxTtl, parent.MaxExpiresAt ?? parent.ExpiresAt);
        var (token, record) = IssuedToken.Create(displayName, isRoot: false, now, expires, caller.Accessor);
        record = record with
        {
            User = caller.IsRoot ? request.User ?? $"token:{displayName}" : caller.Name,
            Groups = caller.IsRoot ? request.Groups ?? [] : parent.Groups,
            Roles = roles,
            Renewable = request.Renewable,
            Ttl = ttl,
            MaxExpiresAt = maxExpires,
        };
        await store.AddAsync(record, context.RequestAborted).ConfigureAwait(false);
        await access.RecordUserAsync(record.User, now, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.StatusCode = StatusCodes.Status201Created;
        await ApiJson.WriteAsync(context.Response, ToResponse(record, token), ApiJsonContext.Default.TokenResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, ITokenStore store)
    {
        var tokens = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, new TokenList(tokens.Select(t => ToResponse(t, null)).ToList()), ApiJsonContext.Default.TokenList, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task LookupAsync(HttpContext context, ITokenStore store, IAccessAuthorizer authorizer, string accessor)
    {
        var record = await FindAsync(context, store, authorizer, "get", accessor).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, ToResponse(record, null), ApiJsonContext.Default.TokenResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RenewAsync(HttpContext context, ITokenStore store, IAccessAuthorizer authorizer, TokenAuthenticator authenticator, TimeProvider time, string accessor)
    {
        var request = context.Request.ContentLength is null or 0
            ? new TokenRenewRequest()
            : await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.TokenRenewRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var asked = request.Increment is null ? (TimeSpan?)null : ParseDuration(request.Increment, "increment");
        var record = await FindAsync(context, store, authorizer, "update", accessor).ConfigureAwait(false);
        if (!record.Renewable || record.Ttl is null)
        {
            throw CofferException.Conflict("TokenNotRenewable", $"token {record.Accessor} is not renewable");
        }

        var now = time.GetUtcNow();
        var increment = asked ?? record.Ttl.Value;
        var expires = Earliest(now + increment, record.MaxExpiresAt)!.Value;
        await store.RenewAsync(record.Accessor, expires, context.RequestAborted).ConfigureAwait(false);
        authenticator.Forget([record.Accessor]);
        await ApiJson.WriteAsync(context.Response, ToResponse(record with { ExpiresAt = expires }, null), ApiJsonContext.Default.TokenResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(HttpContext context, ITokenStore store, IAccessAuthorizer authorizer, TokenAuthenticator authenticator, string accessor)
    {
        var descendants = context.Request.Query["descendants"].ToString() switch
        {
            "" or "true" => true,
            "false" => false,
            _ => throw CofferException.Invalid("InvalidField", "descendants must be true or false", "descendants"),
        };
        var record = await FindAsync(context, store, authorizer, "delete", accessor).ConfigureAwait(false);
        var revoked = await store.RevokeAsync(record.Accessor, descendants, context.RequestAborted).ConfigureAwait(false);
        authenticator.Forget(revoked);
        await ApiJson.WriteAsync(context.Response, new TokenRevoked(revoked), ApiJsonContext.Default.TokenRevoked, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The caller's own token (its accessor, or <c>self</c>) is always theirs to see, renew and revoke; any other needs
    /// the verb on tokens, and is 403 whether or not it exists.
    /// </summary>
    private static async Task<TokenRecord> FindAsync(HttpContext context, ITokenStore store, IAccessAuthorizer authorizer, string verb, string accessor)
    {
        var caller = context.Caller();
        if (accessor == "self")
        {
            accessor = caller.Accessor;
        }

        if (accessor != caller.Accessor)
        {
            var request = new AccessAttributes(verb, Resource, null, accessor);
            if (!(await authorizer.AuthorizeAsync(caller, request, context.RequestAborted).ConfigureAwait(false)).Allowed)
            {
                throw AccessMiddleware.Forbidden(caller, request);
            }
        }

        return await store.FindByAccessorAsync(accessor, context.RequestAborted).ConfigureAwait(false)
            ?? throw CofferException.NotFound("TokenNotFound", $"token {accessor} not found");
    }

    internal static IReadOnlyList<BoundRole> ValidateRoles(IReadOnlyList<TokenRoleRequest>? roles)
    {
        var bound = new List<BoundRole>();
        foreach (var (role, index) in (roles ?? []).Select((r, i) => (r, i)))
        {
            if (role.Namespace is not null)
            {
                KubernetesNames.ValidateNamespace(role.Namespace);
            }

            if (string.IsNullOrEmpty(role.Name) || role.Name.Length > 253 || role.Name.Contains('/', StringComparison.Ordinal))
            {
                throw CofferException.Invalid("InvalidField", $"roles[{index}].name must be a role name", $"roles[{index}].name");
            }

            bound.Add(new BoundRole(role.Namespace, role.Name));
        }

        return bound;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    internal static TokenResponse ToResponse(TokenRecord record, string? token) =>
        new(token, record.Accessor, record.DisplayName, record.IsRoot, record.CreatedAt, record.ExpiresAt, TokenAuthenticator.UserOf(record), record.Groups, record.Roles, record.Renewable, record.MaxExpiresAt, record.ParentAccessor);

    /// <summary>Parses <c>90s</c>, <c>30m</c>, <c>12h</c> or <c>7d</c>, up to the longest token lifetime.</summary>
    public static TimeSpan ParseDuration(string text, string field) => Coffer.Core.Rotation.DurationText.Parse(text, field, MaxTtl);
}
