namespace Coffer.Server.Audit;

/// <summary>
/// Once the route is known: a change whose endpoint does not store its audit record with the change starts forcing the
/// audit file to disk now, so the flush runs while the change is made rather than after it.
/// </summary>
internal sealed class AuditReceiptMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<AuditReceipt>() is { } receipt && context.GetEndpoint()?.Metadata.GetMetadata<StoresAuditRecord>() is null)
        {
            receipt.StartFlush();
        }

        return next(context);
    }
}
