using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Labels;
using Coffer.Core.Secrets;
using Coffer.Server.Api;
using Coffer.Server.Audit;
using Coffer.Server.Auth;
using Coffer.Storage;

namespace Coffer.Server.Secrets;

/// <summary>The Secret API under <c>/v1/namespaces/{namespace}/secrets</c>.</summary>
internal static class SecretEndpoints
{
    public const string Resource = "secrets";
    public const string VersionsResource = "secrets/versions";
    public const int MaxWriteBodyBytes = 3 * 1024 * 1024;
    public const int MaxListLimit = 1000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every change here stores its audit record in its own transaction (see AuditReceipt).
        var secrets = routes.MapGroup("/v1/namespaces/{namespace}/secrets").WithTags("Secrets").WithMetadata(StoresAuditRecord.Instance);
        secrets.MapGet("", ListAsync).RequireFilteredList("list", Resource).Produces<SecretList>();

        // update, or create alone, which may only make new secrets: checked by the handler through the authorizer.
        secrets.MapPut("/{name}", PutAsync).RequireAuthenticated()
            .Accepts<SecretWriteRequest>("application/json").Produces<SecretResource>().Produces<SecretResource>(StatusCodes.Status201Created);
        secrets.MapGet("/{name}", GetAsync).RequireAccess("get", Resource).Produces<SecretResource>();
        secrets.MapDelete("/{name}", (HttpContext c, SecretOperations o) => ChangeAsync(c, o, SecretChangeKind.Delete)).RequireAccess("delete", Resource);
        secrets.MapPost("/{name}/undelete", (HttpContext c, SecretOperations o) => ChangeAsync(c, o, SecretChangeKind.Undelete)).RequireAccess("update", Resource);
        secrets.MapPost("/{name}/destroy", (HttpContext c, SecretOperations o) => ChangeAsync(c, o, SecretChangeKind.Destroy)).RequireAccess("destroy", Resource);
        secrets.MapPatch("/{name}/metadata", (HttpContext c, SecretOperations o) => ChangeAsync(c, o, SecretChangeKind.Metadata)).RequireAccess("patch", Resource)
            .Accepts<MetadataPatchRequest>("application/json");
        secrets.MapGet("/{name}/versions", HistoryAsync).RequireAccess("list", VersionsResource).Produces<SecretVersionList>();
        secrets.MapPost("/{name}/rollback", RollbackAsync).RequireAccess("update", Resource).Accepts<RollbackRequest>("application/json");
    }

    private static async Task PutAsync(HttpContext context, SecretOperations operations, IAccessAuthorizer authorizer)
    {
        var address = Address(context);
        var caller = context.Caller();
        var expected = ExpectedVersion(context);
        var update = new AccessAttributes("update", Resource, address.Namespace, address.Name);
        var verdict = await authorizer.AuthorizeAsync(caller, update, context.RequestAborted).ConfigureAwait(false);
        var checkedAs = update;
        if (!verdict.Allowed)
        {
            var create = update with { Verb = "create" };
            if (expected is not > 0)
            {
                verdict = await authorizer.AuthorizeAsync(caller, create, context.RequestAborted).ConfigureAwait(false);
                checkedAs = create;
            }

            // The audit entry names the verb that decided, as the middleware does for every other endpoint.
            context.Items[typeof(AuditFacts)] = new AuditFacts(checkedAs.Verb, Resource, address.Namespace, address.Name, verdict.Allowed ? "allow" : "deny", verdict.Reason);
            if (!verdict.Allowed)
            {
                throw AccessMiddleware.Forbidden(caller, update);
            }

            // Create alone never overwrites: the write must find no secret there.
            expected = 0;
        }
        else
        {
            context.Items[typeof(AuditFacts)] = new AuditFacts(update.Verb, Resource, address.Namespace, address.Name, "allow", verdict.Reason);
        }

        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.SecretWriteRequest, MaxWriteBodyBytes, context.RequestAborted).ConfigureAwait(false);
        AuditCapture.Request(context, hasher => new AuditObject(request.Type, null, request.Metadata?.Labels, request.Metadata?.Annotations, HashValues(hasher, request)));
        var warnings = await context.RequestServices.GetRequiredService<Rotation.NamingEnforcement>()
            .CheckAsync(address, request.Metadata?.Labels, request.Metadata?.Annotations, context.RequestAborted).ConfigureAwait(false);
        Rotation.NamingEnforcement.AddWarnings(context.Response, warnings);
        var metadata = await operations.PutAsync(address, request, expected, caller.Name, context.Features.Get<AuditReceipt>(), context.RequestAborted).ConfigureAwait(false);
        await WriteMetadataAsync(context, metadata, metadata.CurrentVersion == 1 ? StatusCodes.Status201Created : StatusCodes.Status200OK).ConfigureAwait(false);
    }

    /// <summary>Each value's HMAC, over the bytes it stands for (decoded base64; text as UTF-8); the decoded copies are zeroed.</summary>
    private static Dictionary<string, string> HashValues(AuditHasher hasher, SecretWriteRequest request)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, encoded) in request.Data ?? [])
        {
            var buffer = new byte[(encoded.Length / 4 * 3) + 3];
            hashes[key] = Convert.TryFromBase64String(encoded, buffer, out var written) ? hasher.Hash(buffer.AsSpan(0, written)) : hasher.Hash(Encoding.UTF8.GetBytes(encoded));
            CryptographicOperations.ZeroMemory(buffer);
        }

        foreach (var (key, text) in request.StringData ?? [])
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            hashes[key] = hasher.Hash(bytes);
            CryptographicOperations.ZeroMemory(bytes);
        }

        return hashes;
    }

    private static async Task GetAsync(HttpContext context, SecretOperations operations)
    {
        var address = Address(context);
        var version = Version(context.Request.Query["version"]);
        var stage = context.Request.Query["stage"];
        var (stored, data) = stage.Count == 0
            ? await operations.GetAsync(address, version, context.RequestAborted).ConfigureAwait(false)
            : await context.RequestServices.GetRequiredService<Rotation.StagedReads>().GetAsync(address, Rotation.StagedReads.Parse(stage.ToString(), version), context.RequestAborted).ConfigureAwait(false);
        var encoded = new Dictionary<string, string>(data.Values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in data.Values)
        {
            encoded[key] = Convert.ToBase64String(value);
        }

        AuditCapture.Response(context, hasher => new AuditObject(stored.Secret.Type, stored.Version?.Version, null, null, hasher.HashAll(data.Values)));
        context.Response.Headers.ETag = ETag(stored.Secret.CurrentVersion);
        context.Response.Headers.CacheControl = "no-store";
        await ApiJson.WriteAsync(context.Response, ToResource(stored.Secret, stored.Version, encoded), ApiJsonContext.Default.SecretResource, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, SecretOperations operations)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        var query = context.Request.Query;
        var selector = LabelSelector.Parse(query["labelSelector"]);
        var limit = 100;
        if (query["limit"] is { Count: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxListLimit)
            {
                throw CofferException.Invalid("InvalidField", $"limit must be an integer from 1 to {MaxListLimit}", "limit");
            }
        }

        var after = ContinueToken.Decode(query["continue"]);
        var includeDeleted = Flag(query["includeDeleted"], "includeDeleted");
        var visible = context.Items[typeof(VisibleNames)] as VisibleNames;
        Func<SecretMetadata, bool>? filter = (selector.IsEverything, visible) switch
        {
            (true, null) => null,
            (true, { } names) => m => names.Contains(m.Address.Name),
            (false, null) => m => selector.Matches(m.Labels),
            (false, { } names) => m => names.Contains(m.Address.Name) && selector.Matches(m.Labels),
        };
        var page = await operations.ListAsync(
            ns,
            new SecretListQuery(after, limit, includeDeleted, filter),
            context.RequestAborted).ConfigureAwait(false);
        var list = new SecretList(
            ApiJson.ApiVersion,
            "SecretList",
            new SecretListMetadata(page.Next is null ? null : ContinueToken.Encode(page.Next)),
            page.Items.Select(m => ToResource(m, null, null)).ToList());
        await context.Response.WriteAsJsonAsync(list, ApiJsonContext.Default.SecretList, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task HistoryAsync(HttpContext context, SecretOperations operations)
    {
        var address = Address(context);
        var metadata = await operations.GetMetadataAsync(address, context.RequestAborted).ConfigureAwait(false);
        var history = await operations.HistoryAsync(address, context.RequestAborted).ConfigureAwait(false);
        var items = history.Select(v => new SecretVersionEntry(
            v.Version,
            v.CreatedAt,
            v.CreatedBy,
            v.DeletedAt,
            v.DestroyedAt,
            v.DestroyedAt is not null ? "destroyed" : v.DeletedAt is not null ? "deleted" : "active")).ToList();
        context.Response.Headers.ETag = ETag(metadata.CurrentVersion);
        await context.Response.WriteAsJsonAsync(
            new SecretVersionList(ApiJson.ApiVersion, "SecretVersionList", address.Namespace, address.Name, metadata.CurrentVersion, items),
            ApiJsonContext.Default.SecretVersionList,
            cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RollbackAsync(HttpContext context, SecretOperations operations)
    {
        var address = Address(context);
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.RollbackRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (request.Version < 1)
        {
            throw CofferException.Invalid("InvalidField", "version must be a positive integer", "version");
        }

        var metadata = await operations.RollbackAsync(address, request.Version, ExpectedVersion(context), context.Caller().Name, context.Features.Get<AuditReceipt>(), context.RequestAborted).ConfigureAwait(false);
        await WriteMetadataAsync(context, metadata, StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private static async Task ChangeAsync(HttpContext context, SecretOperations operations, SecretChangeKind kind)
    {
        var address = Address(context);
        MetadataPatchRequest? patch = null;
        IReadOnlyList<long> versions = [];
        if (kind == SecretChangeKind.Metadata)
        {
            patch = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.MetadataPatchRequest, ApiJson.DefaultMaxBodyBytes * 5, context.RequestAborted).ConfigureAwait(false);
            var warnings = await context.RequestServices.GetRequiredService<Rotation.NamingEnforcement>()
                .CheckPatchAsync(address, patch.Labels, patch.Annotations, context.RequestAborted).ConfigureAwait(false);
            Rotation.NamingEnforcement.AddWarnings(context.Response, warnings);
        }
        else
        {
            versions = Versions(context.Request.Query["versions"]);
        }

        var metadata = await operations.ChangeAsync(address, kind, versions, patch, ExpectedVersion(context), context.Caller().Name, context.Features.Get<AuditReceipt>(), context.RequestAborted).ConfigureAwait(false);
        await WriteMetadataAsync(context, metadata, StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private static Task WriteMetadataAsync(HttpContext context, SecretMetadata metadata, int status)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.ETag = ETag(metadata.CurrentVersion);
        return ApiJson.WriteAsync(context.Response, ToResource(metadata, null, null), ApiJsonContext.Default.SecretResource, context.RequestAborted);
    }

    private static SecretResource ToResource(SecretMetadata metadata, SecretVersionInfo? version, Dictionary<string, string>? data) => new(
        ApiJson.ApiVersion,
        "Secret",
        new SecretResourceMetadata(
            metadata.Address.Namespace,
            metadata.Address.Name,
            metadata.Labels,
            metadata.Annotations,
            version?.Version ?? metadata.CurrentVersion,
            metadata.CurrentVersion,
            metadata.CreatedAt,
            metadata.UpdatedAt,
            metadata.DeletedAt,
            version?.CreatedAt,
            version?.CreatedBy),
        metadata.Type,
        metadata.Immutable,
        metadata.MaxVersions,
        data);

    private static SecretAddress Address(HttpContext context) =>
        new((string)context.Request.RouteValues["namespace"]!, (string)context.Request.RouteValues["name"]!);

    private static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Check-and-set from <c>If-Match: "N"</c>, or <c>If-None-Match: *</c> for create-only.</summary>
    private static long? ExpectedVersion(HttpContext context)
    {
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        if (ifNoneMatch.Length > 0)
        {
            return ifNoneMatch.Trim() == "*" ? 0 : throw CofferException.Invalid("InvalidHeader", "If-None-Match only supports '*' (create only)", "If-None-Match");
        }

        if (ifMatch.Length == 0)
        {
            return null;
        }

        var text = ifMatch.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        text = text.Trim('"');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 0
            ? version
            : throw CofferException.Invalid("InvalidHeader", "If-Match must be a version ETag such as \"3\"", "If-Match");
    }

    private static long? Version(Microsoft.Extensions.Primitives.StringValues text)
    {
        if (text.Count == 0)
        {
            return null;
        }

        return text.Count == 1 && long.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1
            ? version
            : throw CofferException.Invalid("InvalidField", "version must be a positive integer", "version");
    }

    private static List<long> Versions(Microsoft.Extensions.Primitives.StringValues text)
    {
        var versions = new List<long>();
        foreach (var part in text.SelectMany(t => (t ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1 || versions.Count >= SecretMetadata.MaxMaxVersions)
            {
                throw CofferException.Invalid("InvalidField", "versions must be a comma-separated list of positive integers", "versions");
            }

            versions.Add(version);
        }

        return versions;
    }

    private static bool Flag(Microsoft.Extensions.Primitives.StringValues text, string field) => text.Count switch
    {
        0 => false,
        1 when bool.TryParse(text[0], out var value) => value,
        _ => throw CofferException.Invalid("InvalidField", $"{field} must be true or false", field),
    };
}
