using Coffer.Core.Naming;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Storage;

namespace Coffer.Server.Access;

/// <summary>Namespaces are created and deleted explicitly; a list shows only the ones the caller has any rule in.</summary>
internal static class NamespaceEndpoints
{
    public const string Resource = "namespaces";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var namespaces = routes.MapGroup("/v1/namespaces").WithTags("Namespaces");
        namespaces.MapPost("", CreateAsync).RequireAccess("create", Resource).Accepts<NamespaceCreateRequest>("application/json").Produces<NamespaceResource>(StatusCodes.Status201Created);
        namespaces.MapGet("", ListAsync).RequireFilteredList("list", Resource).Produces<NamespaceList>();

        // {name}, not {namespace}: a namespace is a cluster-scoped object, so no binding inside it may delete it.
        namespaces.MapDelete("/{name}", DeleteAsync).RequireAccess("delete", Resource);
    }

    private static async Task CreateAsync(HttpContext context, INamespaceStore store, AccessPolicySource policies, TimeProvider time)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.NamespaceCreateRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var name = request.Metadata?.Name ?? request.Name
            ?? throw Core.Errors.CofferException.Invalid("MissingField", "name (or metadata.name) is required", "name");
        KubernetesNames.ValidateNamespace(name);
        var at = time.GetUtcNow();
        await store.CreateAsync(name, at, context.RequestAborted).ConfigureAwait(false);
        policies.Invalidate();
        context.Response.StatusCode = StatusCodes.Status201Created;
        await ApiJson.WriteAsync(context.Response, ToResource(new NamespaceRecord(name, at)), ApiJsonContext.Default.NamespaceResource, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, INamespaceStore store)
    {
        var visible = context.Items[typeof(VisibleNames)] as VisibleNames;
        var all = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        var items = all.Where(n => visible is null || visible.Contains(n.Name)).Select(ToResource).ToList();
        await ApiJson.WriteAsync(context.Response, new NamespaceList(ApiJson.ApiVersion, "NamespaceList", items), ApiJsonContext.Default.NamespaceList, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, INamespaceStore store, AccessPolicySource policies)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        KubernetesNames.ValidateNamespace(name);
        var force = context.Request.Query["force"] is { Count: > 0 } flag && (flag.ToString() is "true" or "1"
            ? true
            : flag.ToString() is "false" or "0" ? false : throw Core.Errors.CofferException.Invalid("InvalidField", "force must be true or false", "force"));
        var secrets = await store.DeleteAsync(name, force, context.RequestAborted).ConfigureAwait(false);
        policies.Invalidate();
        await ApiJson.WriteAsync(context.Response, new NamespaceDeleted(name, secrets), ApiJsonContext.Default.NamespaceDeleted, context.RequestAborted).ConfigureAwait(false);
    }

    private static NamespaceResource ToResource(NamespaceRecord record) =>
        new(ApiJson.ApiVersion, "Namespace", new NamespaceMetadata(record.Name, record.CreatedAt));
}
