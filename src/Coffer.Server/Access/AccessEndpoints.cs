using System.Text;
using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Storage;

namespace Coffer.Server.Access;

/// <summary>RBAC objects in and out, and the questions about them: can-i, who-can, review.</summary>
internal static class AccessEndpoints
{
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        var access = routes.MapGroup("/v1/access").WithTags("Access");
        access.MapPost("/apply", ApplyAsync).RequireAuthenticated().Produces<AccessChangeList>();
        access.MapPost("/delete", DeleteAsync).RequireAuthenticated().Produces<AccessChangeList>();
        access.MapPost("/can-i", CanIAsync).RequireAuthenticated().Accepts<CanIRequest>("application/json").Produces<CanIResponse>();
        access.MapGet("/who-can", WhoCanAsync).RequireAuthenticated().Produces<WhoCanResponse>();
        access.MapGet("/review", ReviewAsync).RequireAccess("list", "clusterrolebindings").Produces<AccessReviewResponse>();
    }

    private static async Task ApplyAsync(HttpContext context, IAccessStore store, AccessPolicySource policies, IAccessAuthorizer authorizer, TimeProvider time)
    {
        var manifest = AccessManifest.Parse(await ReadYamlAsync(context.Request, context.RequestAborted).ConfigureAwait(false));
        var caller = context.Caller();
        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);

        // Every object is checked before anything is written: a file applies whole or not at all.
        foreach (var role in manifest.Roles)
        {
            var exists = policy.Roles.Any(r => r.Namespace == role.Namespace && r.Name == role.Name);
            await RequireAsync(authorizer, caller, exists ? "update" : "create", ResourceOf(role.Kind), role.Namespace, role.Name, context.RequestAborted).ConfigureAwait(false);
            GrantLimit.RequireHolds(policy, caller, role.Rules, role.Namespace, $"{role.Kind} {Describe(role.Namespace, role.Name)}");
        }

        foreach (var binding in manifest.Bindings)
        {
            var exists = policy.Bindings.Any(b => b.Namespace == binding.Namespace && b.Name == binding.Name);
            await RequireAsync(authorizer, caller, exists ? "update" : "create", ResourceOf(binding.Kind), binding.Namespace, binding.Name, context.RequestAborted).ConfigureAwait(false);
            var roleNamespace = binding.RoleRef.Kind == AccessKinds.Role ? binding.Namespace : null;
            var role = manifest.Roles.Concat(policy.Roles).FirstOrDefault(r => r.Namespace == roleNamespace && r.Name == binding.RoleRef.Name)
                ?? throw CofferException.NotFound("RoleNotFound", $"{binding.Kind} {Describe(binding.Namespace, binding.Name)} refers to {binding.RoleRef.Kind} {Describe(roleNamespace, binding.RoleRef.Name)}, which does not exist");
            GrantLimit.RequireHolds(policy, caller, role.Rules, binding.Namespace, $"{binding.Kind} {Describe(binding.Namespace, binding.Name)}");
        }

        var changes = await store.ApplyAsync(new AccessObjects(manifest.Roles, manifest.Bindings), time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        policies.Invalidate();
        await WriteChangesAsync(context, changes).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, IAccessStore store, AccessPolicySource policies, IAccessAuthorizer authorizer)
    {
        var manifest = AccessManifest.Parse(await ReadYamlAsync(context.Request, context.RequestAborted).ConfigureAwait(false));
        var caller = context.Caller();
        var keys = manifest.Roles.Select(r => new AccessObjectKey(r.Kind, r.Namespace, r.Name))
            .Concat(manifest.Bindings.Select(b => new AccessObjectKey(b.Kind, b.Namespace, b.Name)))
            .ToList();
        foreach (var key in keys)
        {
            await RequireAsync(authorizer, caller, "delete", ResourceOf(key.Kind), key.Namespace, key.Name, context.RequestAborted).ConfigureAwait(false);
        }

        var changes = await store.DeleteAsync(keys, context.RequestAborted).ConfigureAwait(false);
        policies.Invalidate();
        await WriteChangesAsync(context, changes).ConfigureAwait(false);
    }

    private static async Task CanIAsync(HttpContext context, AccessPolicySource policies, IAccessAuthorizer authorizer)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.CanIRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var caller = context.Caller();
        if (request.Namespace is not null)
        {
            KubernetesNames.ValidateNamespace(request.Namespace);
        }

        var principal = caller.Principal;
        if (request.User is not null || request.Groups is { Count: > 0 })
        {
            // Asking on behalf of someone else reveals their permissions: only those who may impersonate can.
            await RequireAsync(authorizer, caller, "impersonate", "users", null, request.User, context.RequestAborted).ConfigureAwait(false);
            principal = new Principal(request.User ?? caller.Name, [.. request.Groups ?? [], TokenAuthenticator.AuthenticatedGroup], [], IsRoot: false);
        }

        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        if (request.List)
        {
            var rules = principal.IsRoot ? [new PolicyRule(["*"], ["*"], ["*"], [])] : policy.RulesFor(principal, request.Namespace);
            await ApiJson.WriteAsync(context.Response, new CanIResponse(true, "rules listed", principal.User, rules), ApiJsonContext.Default.CanIResponse, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var verb = Required(request.Verb, "verb");
        var resource = Required(request.Resource, "resource");
        var verdict = policy.Check(principal, new AccessAttributes(verb, resource, request.Namespace, request.Name));
        await ApiJson.WriteAsync(context.Response, new CanIResponse(verdict.Allowed, verdict.Reason, principal.User, null), ApiJsonContext.Default.CanIResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WhoCanAsync(HttpContext context, AccessPolicySource policies, IAccessAuthorizer authorizer)
    {
        var query = context.Request.Query;
        var verb = Required(query["verb"], "verb");
        var resource = Required(query["resource"], "resource");
        var ns = query["namespace"].ToString() is { Length: > 0 } given ? given : null;
        var name = query["name"].ToString() is { Length: > 0 } named ? named : null;
        if (ns is not null)
        {
            KubernetesNames.ValidateNamespace(ns);
        }

        // Who holds what is itself sensitive: it takes the right to read the bindings that would answer it.
        await RequireAsync(authorizer, context.Caller(), "list", ns is null ? "clusterrolebindings" : "rolebindings", ns, null, context.RequestAborted).ConfigureAwait(false);
        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        var grants = policy.WhoCan(new AccessAttributes(verb, resource, ns, name));
        await ApiJson.WriteAsync(context.Response, new WhoCanResponse(verb, resource, ns, name, grants), ApiJsonContext.Default.WhoCanResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ReviewAsync(HttpContext context, AccessPolicySource policies, IAccessStore store, ITokenStore tokens)
    {
        var policy = await policies.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
        var known = await store.KnownUsersAsync(context.RequestAborted).ConfigureAwait(false);
        var live = (await tokens.ListAsync(context.RequestAborted).ConfigureAwait(false))
            .Select(t => new ReviewedToken(t.Accessor, t.DisplayName, TokenAuthenticator.UserOf(t), t.IsRoot, t.ExpiresAt))
            .ToList();
        var users = known.Concat(live.Select(t => t.User)).ToHashSet(StringComparer.Ordinal);
        var findings = AccessReview.Find(policy, users, live);
        await ApiJson.WriteAsync(context.Response, new AccessReviewResponse(findings), ApiJsonContext.Default.AccessReviewResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RequireAsync(IAccessAuthorizer authorizer, CallerIdentity caller, string verb, string resource, string? ns, string? name, CancellationToken cancellationToken)
    {
        var request = new AccessAttributes(verb, resource, ns, name);
        if (!(await authorizer.AuthorizeAsync(caller, request, cancellationToken).ConfigureAwait(false)).Allowed)
        {
            throw AccessMiddleware.Forbidden(caller, request);
        }
    }

    private static string ResourceOf(string kind) => kind switch
    {
        AccessKinds.Role => "roles",
        AccessKinds.ClusterRole => "clusterroles",
        AccessKinds.RoleBinding => "rolebindings",
        _ => "clusterrolebindings",
    };

    private static string Describe(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw CofferException.Invalid("MissingField", $"{field} is required", field) : value;

    private static async Task<string> ReadYamlAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType is { } type && !YamlTypes.Any(t => type.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            throw new CofferException(ErrorKind.Invalid, "UnsupportedMediaType", "the request body must be YAML (application/yaml)");
        }

        if (request.ContentLength > AccessManifest.MaxBytes)
        {
            throw ApiJson.TooLarge(AccessManifest.MaxBytes);
        }

        using var buffer = await ApiJson.ReadBodyAsync(request, AccessManifest.MaxBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw CofferException.Invalid("InvalidManifest", "the manifest is not valid UTF-8");
        }
    }

    private static Task WriteChangesAsync(HttpContext context, IReadOnlyList<AccessChange> changes) =>
        ApiJson.WriteAsync(
            context.Response,
            new AccessChangeList(changes.Select(c => new AccessChangeItem(c.Object.Kind, c.Object.Namespace, c.Object.Name, c.Outcome)).ToList()),
            ApiJsonContext.Default.AccessChangeList,
            context.RequestAborted);
}
