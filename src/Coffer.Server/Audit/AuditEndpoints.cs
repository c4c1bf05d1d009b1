using Coffer.Server.Auth;

namespace Coffer.Server.Audit;

/// <summary>The newest signed checkpoint and the public key: an independent copy to check a log file against.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/v1/audit").WithTags("Audit");
        audit.MapGet("/checkpoint", (HttpContext context) =>
        {
            var log = context.RequestServices.GetService<AuditLog>();
            return log is null
                ? Results.NotFound()
                : Results.Json(new AuditCheckpointResponse(log.Signer.PublicKeyPem, log.Count, log.LatestCheckpoint), AuditJsonContext.Default.AuditCheckpointResponse);
        }).RequireAccess("get", "audit").Produces<AuditCheckpointResponse>();
    }
}
