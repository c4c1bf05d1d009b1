using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Audit;

/// <summary>The newest signed checkpoint and the public key (an independent copy to check a log file against), and the audit HMAC of a value.</summary>
internal static class AuditEndpoints
{
    private const int MaxHashBodyBytes = 1024 * 1024 + 1024;

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

        // The same HMAC the log holds in place of values, so an operator can check whether a known value was involved.
        audit.MapPost("/hash", async (HttpContext context) =>
        {
            var hasher = context.RequestServices.GetService<AuditHasher>() ?? throw new CofferException(ErrorKind.NotFound, "AuditOff", "this server keeps no audit log");
            var request = await ApiJson.ReadAsync(context.Request, AuditJsonContext.Default.AuditHashRequest, MaxHashBodyBytes, context.RequestAborted).ConfigureAwait(false);
            var value = request.Value ?? throw CofferException.Invalid("MissingField", "value is required", "value");
            var bytes = Encoding.UTF8.GetBytes(value);
            try
            {
                return Results.Json(new AuditHashResponse(hasher.Hash(bytes)), AuditJsonContext.Default.AuditHashResponse);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }).RequireAccess("get", "audit").Accepts<AuditHashRequest>("application/json").Produces<AuditHashResponse>();
    }
}
