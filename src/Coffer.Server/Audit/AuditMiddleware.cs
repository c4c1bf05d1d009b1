using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Audit;

/// <summary>
/// Records every request, allowed or denied, and holds its answer until the entry is durable. If the audit log
/// cannot be written, the answer is thrown away and the request refused with 503 (fail closed).
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, AuditLog audit)
{
    private const int MaxUserAgent = 256;

    public async Task InvokeAsync(HttpContext context)
    {
        // Probes carry no identity and touch no data; auditing them would drown the log.
        if (context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // A request that may change state is on record before it is acted on: if that cannot be written, nothing happens.
        var requestId = Guid.CreateVersion7().ToString("N");
        if (!IsRead(context))
        {
            try
            {
                // Out of the process, not yet on disk: enough to refuse the change when no sink can write at all.
                await audit.RecordAsync(Received(context, requestId), sync: false, context.RequestAborted).ConfigureAwait(false);
            }
            catch (CofferException e) when (e.Reason == "AuditUnavailable")
            {
                await RefuseAsync(context, e).ConfigureAwait(false);
                return;
            }
        }

        if (context.Request.Path.StartsWithSegments(Watch.WatchEndpoints.PathPrefix) && IsRead(context))
        {
            // A watch streams names and versions (never values) for as long as it lasts, so it cannot be held back whole:
            // its record leaves the process as its answer starts, and a failure to write it aborts the answer.
            context.Response.OnStarting(() => audit.RecordAsync(Completed(context, requestId), sync: false, context.RequestAborted));
            await next(context).ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream(2048);
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        try
        {
            // A read's record leaves the process before its answer does; a change's (and with it the RequestReceived before it) is on disk.
            await audit.RecordAsync(Completed(context, requestId), sync: !IsRead(context), context.RequestAborted).ConfigureAwait(false);
            await original.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
        }
        catch (CofferException e) when (e.Reason == "AuditUnavailable")
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
        finally
        {
            // The answer may have held secret values.
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    private static bool IsRead(HttpContext context) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);

    private static async Task RefuseAsync(HttpContext context, CofferException e)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await ApiJson.WriteAsync(context.Response, ApiError.Create(503, e.Reason, e.Message, null), ApiJsonContext.Default.ApiError, context.RequestAborted).ConfigureAwait(false);
    }

    private AuditEntry Received(HttpContext context, string requestId) =>
        audit.Template(AuditEntry.RequestKind) with
        {
            Stage = "RequestReceived",
            RequestId = requestId,
            Source = context.Connection.RemoteIpAddress?.ToString(),
            Method = context.Request.Method,
            Path = context.Request.Path.Value,
        };

    private AuditEntry Completed(HttpContext context, string requestId)
    {
        var caller = context.Items[typeof(CallerIdentity)] as CallerIdentity;
        var facts = context.Items[typeof(AuditFacts)] as AuditFacts;
        var error = context.Items[typeof(CofferException)] as CofferException;
        var userAgent = context.Request.Headers.UserAgent.ToString();
        return audit.Template(AuditEntry.RequestKind) with
        {
            Stage = "ResponseComplete",
            RequestId = requestId,
            User = caller?.Name,
            Groups = caller?.Principal.Groups,
            Accessor = caller?.Accessor,
            Source = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = userAgent.Length == 0 ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgent)],
            Method = context.Request.Method,
            Path = context.Request.Path.Value,
            Verb = facts?.Verb,
            Resource = facts?.Resource,
            Namespace = facts?.Namespace ?? context.Request.RouteValues["namespace"] as string,
            Name = facts?.Name ?? context.Request.RouteValues["name"] as string,
            Decision = context.Response.StatusCode == StatusCodes.Status403Forbidden ? "deny" : facts?.Decision,
            Reason = error is not null ? $"{error.Reason}: {error.Message}" : facts?.Reason,
            Status = context.Response.StatusCode,
        };
    }
}
