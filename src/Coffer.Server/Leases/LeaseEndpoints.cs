using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Rotation;
using Coffer.Storage;

namespace Coffer.Server.Leases;

/// <summary>
/// Dynamic database credentials under <c>/v1/namespaces/{namespace}/database</c> (resources <c>databaseconnections</c>,
/// <c>databaseroles</c>, <c>databasecreds</c>) and their leases (<c>leases</c>).
/// </summary>
internal static class LeaseEndpoints
{
    public const string ConnectionsResource = "databaseconnections";
    public const string RolesResource = "databaseroles";
    public const string CredsResource = "databasecreds";
    public const string LeasesResource = "leases";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var database = routes.MapGroup("/v1/namespaces/{namespace}/database").WithTags("Dynamic credentials");
        database.MapGet("/connections/{name}", (HttpContext c, DynamicCredentials d) => GetAsync(c, d, DynamicCredentials.ConnectionKind)).RequireAccess("get", ConnectionsResource);
        database.MapPut("/connections/{name}", PutConnectionAsync).RequireAccess("update", ConnectionsResource).Accepts<DatabaseConnectionDocument>("application/json");
        database.MapDelete("/connections/{name}", (HttpContext c, DynamicCredentials d) => DeleteAsync(c, d, DynamicCredentials.ConnectionKind)).RequireAccess("delete", ConnectionsResource);
        database.MapGet("/roles/{name}", (HttpContext c, DynamicCredentials d) => GetAsync(c, d, DynamicCredentials.RoleKind)).RequireAccess("get", RolesResource);
        database.MapPut("/roles/{name}", PutRoleAsync).RequireAccess("update", RolesResource).Accepts<DatabaseRoleDocument>("application/json");
        database.MapDelete("/roles/{name}", (HttpContext c, DynamicCredentials d) => DeleteAsync(c, d, DynamicCredentials.RoleKind)).RequireAccess("delete", RolesResource);
        database.MapPost("/creds/{name}", IssueAsync).RequireAccess("create", CredsResource).Produces<CredentialResponse>();

        var leases = routes.MapGroup("/v1/namespaces/{namespace}/leases").WithTags("Dynamic credentials");
        leases.MapGet("", ListAsync).RequireAccess("list", LeasesResource).Produces<LeaseList>();
        leases.MapPost("/renew", RenewAsync).RequireAccess("update", LeasesResource).Accepts<LeaseRequest>("application/json").Produces<LeaseResource>();
        leases.MapPost("/revoke", RevokeAsync).RequireAccess("delete", LeasesResource).Accepts<LeaseRequest>("application/json").Produces<LeasesRevoked>();
    }

    private static async Task GetAsync(HttpContext context, DynamicCredentials credentials, string kind)
    {
        var (ns, name) = Names(context);
        if (kind == DynamicCredentials.ConnectionKind)
        {
            var connection = await credentials.GetConnectionAsync(ns, name, context.RequestAborted).ConfigureAwait(false)
                ?? throw CofferException.NotFound("DatabaseConnectionNotFound", $"database connection {ns}/{name} not found");
            await ApiJson.WriteAsync(context.Response, connection with { ApiVersion = ApiJson.ApiVersion, Kind = kind }, RotationJsonContext.Default.DatabaseConnectionDocument, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var role = await credentials.GetRoleAsync(ns, name, context.RequestAborted).ConfigureAwait(false)
            ?? throw CofferException.NotFound("DatabaseRoleNotFound", $"database role {ns}/{name} not found");
        await ApiJson.WriteAsync(context.Response, role with { ApiVersion = ApiJson.ApiVersion, Kind = kind }, RotationJsonContext.Default.DatabaseRoleDocument, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task PutConnectionAsync(HttpContext context, DynamicCredentials credentials, INamespaceStore namespaces)
    {
        var (ns, name) = await ExistingAsync(context, namespaces).ConfigureAwait(false);
        var document = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.DatabaseConnectionDocument, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var created = await credentials.PutConnectionAsync(ns, name, document, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await ApiJson.WriteAsync(context.Response, document with { ApiVersion = ApiJson.ApiVersion, Kind = DynamicCredentials.ConnectionKind }, RotationJsonContext.Default.DatabaseConnectionDocument, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task PutRoleAsync(HttpContext context, DynamicCredentials credentials, INamespaceStore namespaces)
    {
        var (ns, name) = await ExistingAsync(context, namespaces).ConfigureAwait(false);
        var document = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.DatabaseRoleDocument, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var created = await credentials.PutRoleAsync(ns, name, document, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await ApiJson.WriteAsync(context.Response, document with { ApiVersion = ApiJson.ApiVersion, Kind = DynamicCredentials.RoleKind }, RotationJsonContext.Default.DatabaseRoleDocument, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, DynamicCredentials credentials, string kind)
    {
        var (ns, name) = Names(context);
        if (!await credentials.DeleteAsync(kind, ns, name, context.RequestAborted).ConfigureAwait(false))
        {
            throw CofferException.NotFound($"{kind}NotFound", $"{kind} {ns}/{name} not found");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task IssueAsync(HttpContext context, DynamicCredentials credentials)
    {
        var (ns, name) = Names(context);
        var request = context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any()
            ? new CredentialRequest()
            : await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.CredentialRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var issued = await credentials.IssueAsync(ns, name, request.Ttl, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        await ApiJson.WriteAsync(context.Response, issued, RotationJsonContext.Default.CredentialResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, DynamicCredentials credentials)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        KubernetesNames.ValidateNamespace(ns);
        var all = context.Request.Query["all"].ToString() is "true" or "1";
        var items = await credentials.ListAsync(ns, all, context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, new LeaseList(ApiJson.ApiVersion, "LeaseList", items), RotationJsonContext.Default.LeaseList, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RenewAsync(HttpContext context, DynamicCredentials credentials)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        KubernetesNames.ValidateNamespace(ns);
        var request = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.LeaseRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var leaseId = request.LeaseId ?? throw CofferException.Invalid("MissingField", "leaseId is required", "leaseId");
        var renewed = await credentials.RenewAsync(ns, leaseId, request.Increment, context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, renewed, RotationJsonContext.Default.LeaseResource, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RevokeAsync(HttpContext context, DynamicCredentials credentials)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        KubernetesNames.ValidateNamespace(ns);
        var request = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.LeaseRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var revoked = await credentials.RevokeAsync(ns, request.LeaseId, request.Prefix, context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, new LeasesRevoked(revoked), RotationJsonContext.Default.LeasesRevoked, context.RequestAborted).ConfigureAwait(false);
    }

    private static (string Namespace, string Name) Names(HttpContext context)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        var name = (string)context.Request.RouteValues["name"]!;
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        return (ns, name);
    }

    private static async Task<(string Namespace, string Name)> ExistingAsync(HttpContext context, INamespaceStore namespaces)
    {
        var (ns, name) = Names(context);
        return await namespaces.ExistsAsync(ns, context.RequestAborted).ConfigureAwait(false)
            ? (ns, name)
            : throw CofferException.NotFound("NamespaceNotFound", $"namespace {ns} not found");
    }
}
