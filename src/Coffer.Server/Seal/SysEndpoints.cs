using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Storage;

namespace Coffer.Server.Seal;

/// <summary>Health, readiness, initialisation, unseal, seal and key management under <c>/v1/sys</c>.</summary>
internal static class SysEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/readyz", (SealState seal) => seal.IsSealed ? Results.Text("sealed", statusCode: StatusCodes.Status503ServiceUnavailable) : Results.Text("ok"))
            .AllowAnonymous().ExcludeFromDescription();

        var sys = routes.MapGroup("/v1/sys").WithTags("System");
        sys.MapGet("/seal-status", async (SealState seal, CancellationToken ct) => Results.Json(await seal.GetStatusAsync(ct).ConfigureAwait(false), ApiJsonContext.Default.SealStatus))
            .AllowAnonymous().Produces<SealStatus>();
        sys.MapPost("/init", InitAsync).AllowAnonymous().Accepts<InitRequest>("application/json").Produces<InitResponse>();
        sys.MapPost("/unseal", UnsealAsync).AllowAnonymous().Accepts<UnsealRequest>("application/json").Produces<SealStatus>();
        sys.MapPost("/seal", async (SealState seal, CancellationToken ct) =>
        {
            seal.Seal();
            return Results.Json(await seal.GetStatusAsync(ct).ConfigureAwait(false), ApiJsonContext.Default.SealStatus);
        }).RequireAccess("seal", "sys").Produces<SealStatus>();
        // The unseal keys are the credential: a quorum of operators can always get a root token back.
        sys.MapPost("/generate-root", async (HttpContext context, SealState seal) =>
        {
            var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.GenerateRootRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
            var token = await seal.GenerateRootAsync(request.Keys ?? [], context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.CacheControl = "no-store";
            await ApiJson.WriteAsync(context.Response, new GenerateRootResponse(token), ApiJsonContext.Default.GenerateRootResponse, context.RequestAborted).ConfigureAwait(false);
        }).AllowAnonymous().Accepts<GenerateRootRequest>("application/json").Produces<GenerateRootResponse>();
        sys.MapGet("/keys", KeysAsync).RequireAccess("get", "keys").Produces<KeyRingStatus>();
        sys.MapPost("/keys/rotate", async (SealState seal, RewrapRunner rewrap, IRewrapStore store, CancellationToken ct) =>
        {
            await seal.RotateAsync(ct).ConfigureAwait(false);
            return await KeysAsync(seal, rewrap, store, ct).ConfigureAwait(false);
        }).RequireAccess("rotate", "keys").Produces<KeyRingStatus>();
        sys.MapPost("/keys/rewrap", async (SealState seal, RewrapRunner rewrap, IRewrapStore store, CancellationToken ct) =>
        {
            await rewrap.RequestAsync(ct).ConfigureAwait(false);
            return await KeysAsync(seal, rewrap, store, ct).ConfigureAwait(false);
        }).RequireAccess("rotate", "keys").Produces<KeyRingStatus>(StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> InitAsync(HttpContext context, SealState seal)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.InitRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var response = await seal.InitializeAsync(request.Shares ?? 5, request.Threshold ?? 3, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(response, ApiJsonContext.Default.InitResponse);
    }

    private static async Task<IResult> UnsealAsync(HttpContext context, SealState seal)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.UnsealRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (request.Reset == true)
        {
            seal.ResetProgress();
            return Results.Json(await seal.GetStatusAsync(context.RequestAborted).ConfigureAwait(false), ApiJsonContext.Default.SealStatus);
        }

        return Results.Json(await seal.SubmitShareAsync(request.Key, context.RequestAborted).ConfigureAwait(false), ApiJsonContext.Default.SealStatus);
    }

    private static async Task<IResult> KeysAsync(SealState seal, RewrapRunner rewrap, IRewrapStore store, CancellationToken cancellationToken)
    {
        // Another replica may have rotated or retired keys since this one last looked.
        var ring = await seal.RefreshRingAsync(cancellationToken).ConfigureAwait(false);
        var counts = await store.CountByKeyAsync(cancellationToken).ConfigureAwait(false);
        var keys = ring.Keys.Select(k => new KeyStatus(k.Id, k.CreatedAt, k.RetiredAt, k.Id == ring.Current.Id, counts.GetValueOrDefault(k.Id))).ToList();
        var progress = await rewrap.StatusAsync(counts, ring.Current.Id, cancellationToken).ConfigureAwait(false);

        return Results.Json(new KeyRingStatus(ring.Generation, ring.Current.Id, keys, progress), ApiJsonContext.Default.KeyRingStatus);
    }
}
