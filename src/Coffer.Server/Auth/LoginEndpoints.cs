using System.Globalization;
using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Core.Tokens;
using Coffer.Server.Access;
using Coffer.Server.Api;
using Coffer.Server.Auth.Jwt;
using Coffer.Storage;

namespace Coffer.Server.Auth;

/// <summary>
/// Logins that trade a JWT for a short-lived Coffer token: a workload's service-account token (through a login
/// role that names which service accounts it admits), or a person's OIDC ID token.
/// </summary>
internal static class LoginEndpoints
{
    public const string LoginRolesResource = "loginroles";
    public static readonly TimeSpan MaxLoginTtl = TimeSpan.FromDays(1);

    public static void Map(IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/v1/auth").WithTags("Login");
        auth.MapPost("/kubernetes/login", KubernetesLoginAsync).AllowAnonymous().Accepts<KubernetesLoginRequest>("application/json").Produces<TokenResponse>();
        auth.MapPost("/oidc/login", OidcLoginAsync).AllowAnonymous().Accepts<OidcLoginRequest>("application/json").Produces<TokenResponse>();
        auth.MapPut("/kubernetes/roles/{role}", PutRoleAsync).RequireAccess("update", LoginRolesResource).Accepts<LoginRoleRequest>("application/json").Produces<LoginRoleResource>();
        auth.MapGet("/kubernetes/roles", ListRolesAsync).RequireAccess("list", LoginRolesResource).Produces<LoginRoleList>();
        auth.MapDelete("/kubernetes/roles/{role}", DeleteRoleAsync).RequireAccess("delete", LoginRolesResource);
    }

    private static async Task KubernetesLoginAsync(HttpContext context, LoginMethods methods, JwtValidator validator, ILoginRoleStore roles, ITokenStore tokens, IAccessStore access, TimeProvider time)
    {
        if (methods.Kubernetes is null && methods.TokenReview is null)
        {
            throw NotEnabled("kubernetes");
        }

        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.KubernetesLoginRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var roleName = string.IsNullOrEmpty(request.Role) ? throw CofferException.Invalid("MissingField", "role is required", "role") : request.Role;
        var token = request.Jwt ?? throw CofferException.Invalid("MissingField", "jwt is required", "jwt");
        if (token.Length > JwtValidator.MaxTokenLength)
        {
            throw new CofferException(ErrorKind.Unauthenticated, "MalformedToken", "the token is too long");
        }

        // Offline against the issuer's keys when configured; otherwise the cluster itself judges the token.
        var account = methods.Kubernetes is { } issuer
            ? ServiceAccountName.FromJwt(await validator.ValidateAsync(token, issuer, context.RequestAborted).ConfigureAwait(false))
            : ServiceAccountName.FromUserName((await methods.TokenReview!.ReviewAsync(token, methods.ReviewAudiences, context.RequestAborted).ConfigureAwait(false)).UserName);
        var role = await roles.GetAsync(roleName, context.RequestAborted).ConfigureAwait(false);

        // An unknown role and one that does not admit this account read the same, so roles cannot be probed.
        if (role is null || !role.Admits(account.Namespace, account.Name))
        {
            throw new CofferException(ErrorKind.Forbidden, "LoginDenied", $"{account.UserName} may not log in with role {roleName}");
        }

        var now = time.GetUtcNow();
        await IssueAsync(context, tokens, access, $"kubernetes-{roleName}", account.UserName, account.Groups, role.TokenRoles, now, now + role.Ttl).ConfigureAwait(false);
    }

    private static async Task OidcLoginAsync(HttpContext context, LoginMethods methods, JwtValidator validator, ITokenStore tokens, IAccessStore access, TimeProvider time)
    {
        var issuer = methods.Oidc ?? throw NotEnabled("oidc");
        var settings = methods.OidcSettings!;
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.OidcLoginRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var jwt = await validator.ValidateAsync(request.Jwt ?? throw CofferException.Invalid("MissingField", "jwt is required", "jwt"), issuer, context.RequestAborted).ConfigureAwait(false);
        var user = jwt.Claims.TryGetValue(settings.UsernameClaim, out var names) && names.Count == 1 && names[0].Length > 0
            ? names[0]
            : throw new CofferException(ErrorKind.Unauthenticated, "MissingClaim", $"the ID token has no single '{settings.UsernameClaim}' claim to name the user");

        // People may not pose as workloads or Kubernetes' own identities.
        if (user.StartsWith("system:", StringComparison.Ordinal))
        {
            throw new CofferException(ErrorKind.Unauthenticated, "ReservedName", "user names starting with 'system:' are reserved");
        }

        var groups = jwt.Claims.TryGetValue(settings.GroupsClaim, out var listed) ? listed.Where(g => !g.StartsWith("system:", StringComparison.Ordinal)).ToList() : [];
        var now = time.GetUtcNow();
        await IssueAsync(context, tokens, access, "oidc", user, groups, [], now, now + settings.TokenTtl).ConfigureAwait(false);
    }

    private static async Task PutRoleAsync(HttpContext context, ILoginRoleStore store, AccessPolicySource policies, TimeProvider time)
    {
        var name = (string)context.Request.RouteValues["role"]!;
        KubernetesNames.ValidateName(name, "role");
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.LoginRoleRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var names = Bound(request.BoundServiceAccountNames, "boundServiceAccountNames", n => KubernetesNames.ValidateName(n, "boundServiceAccountNames"));
        var namespaces = Bound(request.BoundNamespaces, "boundNamespaces", n => KubernetesNames.ValidateNamespace(n, "boundNamespaces"));
        var ttl = request.Ttl is null ? TimeSpan.FromHours(1) : TokenEndpoints.ParseDuration(request.Ttl, "ttl");
        if (ttl > MaxLoginTtl)
        {
            throw CofferException.Invalid("InvalidField", "a login token lives at most 24h; workloads log in again", "ttl");
        }

        var tokenRoles = TokenEndpoints.ValidateRoles(request.Roles);
        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        GrantLimit.RequireHoldsRoles(policy, context.Caller(), tokenRoles, $"login role {name}");

        var role = new LoginRole(name, names, namespaces, ttl, tokenRoles);
        var created = await store.PutAsync(role, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await ApiJson.WriteAsync(context.Response, ToResource(role), ApiJsonContext.Default.LoginRoleResource, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ListRolesAsync(HttpContext context, ILoginRoleStore store)
    {
        var roles = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, new LoginRoleList(roles.Select(ToResource).ToList()), ApiJsonContext.Default.LoginRoleList, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DeleteRoleAsync(HttpContext context, ILoginRoleStore store)
    {
        var name = (string)context.Request.RouteValues["role"]!;
        if (!await store.DeleteAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            throw CofferException.NotFound("LoginRoleNotFound", $"login role {name} not found");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task IssueAsync(HttpContext context, ITokenStore tokens, IAccessStore access, string displayName, string user, IReadOnlyList<string> groups, IReadOnlyList<BoundRole> roles, DateTimeOffset now, DateTimeOffset expires)
    {
        var (token, record) = IssuedToken.Create(displayName, isRoot: false, now, expires, parentAccessor: null);
        record = record with { User = user, Groups = groups, Roles = roles, MaxExpiresAt = expires };
        await tokens.AddAsync(record, context.RequestAborted).ConfigureAwait(false);
        await access.RecordUserAsync(user, now, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        await ApiJson.WriteAsync(context.Response, TokenEndpoints.ToResponse(record, token), ApiJsonContext.Default.TokenResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static IReadOnlyList<string> Bound(IReadOnlyList<string>? values, string field, Action<string> validate)
    {
        if (values is null || values.Count == 0)
        {
            throw CofferException.Invalid("MissingField", $"{field} must list at least one name, or \"*\"", field);
        }

        foreach (var value in values.Where(v => v != LoginRole.Any))
        {
            validate(value);
        }

        return values;
    }

    private static LoginRoleResource ToResource(LoginRole role) =>
        new(role.Name, role.BoundServiceAccountNames, role.BoundNamespaces, $"{((long)role.Ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s", role.TokenRoles);

    private static CofferException NotEnabled(string method) =>
        CofferException.NotFound("AuthMethodNotEnabled", $"{method} login is not enabled on this server");
}
