using Coffer.Core.Errors;
using Coffer.Server.Alerts;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Metrics;

namespace Coffer.Server.Audit;

/// <summary>
/// Records every request, allowed or denied, and holds its answer until the entry is durable. If the audit log
/// cannot be written, the answer is thrown away and the request refused with 503 (fail closed). Each finished
/// request's entry also feeds the metrics and the alert rules, with or without an audit log.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, IServiceProvider services, CofferMetrics metrics, AlertDispatcher alerts, TimeProvider time)
{
    private readonly AuditLog? audit = services.GetService<AuditLog>();

    private const int MaxUserAgent = 256;

    public async Task InvokeAsync(HttpContext context)
    {
        // Probes carry no identity and touch no data; auditing them would drown the log.
        if (context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (audit is null)
        {
            await next(context).ConfigureAwait(false);
            Observe(Completed(context, null));
            return;
        }

        // A request that may change state is on record before it is acted on: if that cannot be written, nothing happens.
        string? requestId = null;
        AuditReceipt? receipt = null;
        if (!IsRead(context))
        {
            requestId = AuditId.New(time.GetUtcNow());
            try
            {
                // Out of the process, not yet on disk: enough to refuse the change when no sink can write at all.
                receipt = new AuditReceipt(audit.RecordForChange(Received(context, requestId)), audit, context.RequestAborted);
            }
            catch (CofferException e) when (e.Reason == "AuditUnavailable")
            {
                await RefuseAsync(context, e).ConfigureAwait(false);
                return;
            }

            // The record becomes durable in the change's own commit, or, once the route shows the endpoint cannot carry it,
            // by a flush of the file that runs while the change is made.
            context.Features.Set(receipt);
        }

        if (context.Request.Path.StartsWithSegments(Watch.WatchEndpoints.PathPrefix) && IsRead(context))
        {
            // A watch streams names and versions (never values) for as long as it lasts, so it cannot be held back whole:
            // its record leaves the process as its answer starts, and a failure to write it aborts the answer.
            context.Response.OnStarting(async () =>
            {
                var started = Completed(context, requestId);
                await audit.RecordAsync(started, sync: false, context.RequestAborted).ConfigureAwait(false);
                Observe(started);
            });
            await next(context).ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new HeldResponse();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            // The request fails anyway; the flush's own outcome must not go unobserved.
            _ = receipt?.Flush?.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        try
        {
            // Every answer waits until its record is out of the process; a change's answer also until its RequestReceived
            // entry is durable (committed with the change, or on disk), so no change is answered without a record of who made it.
            if (receipt is not null)
            {
                await receipt.DurableAsync().ConfigureAwait(false);
            }

            var completed = Completed(context, requestId);
            // Level None drops the entry, except for a refusal: denied requests are always on record.
            if (completed.Level != nameof(AuditLevel.None) || completed.Status == StatusCodes.Status403Forbidden)
            {
                await audit.RecordAsync(completed, sync: false, context.RequestAborted).ConfigureAwait(false);
            }

            Observe(completed);
            await original.WriteAsync(buffer.Written, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CofferException e) when (e.Reason == "AuditUnavailable")
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    private void Observe(AuditEntry entry)
    {
        metrics.Observe(entry);
        alerts.Observe(entry);
    }

    private static string LevelName(AuditLevel level) => level switch
    {
        AuditLevel.None => nameof(AuditLevel.None),
        AuditLevel.Metadata => nameof(AuditLevel.Metadata),
        AuditLevel.Request => nameof(AuditLevel.Request),
        _ => nameof(AuditLevel.RequestResponse),
    };

    private static bool IsRead(HttpContext context) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);

    /// <summary>Without an audit log the entry only feeds metrics and alerts, so it needs no id.</summary>
    private AuditEntry Untracked() => new() { Seq = 0, Id = string.Empty, Time = time.GetUtcNow(), Kind = AuditEntry.RequestKind, Prev = string.Empty };

    private static async Task RefuseAsync(HttpContext context, CofferException e)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await ApiJson.WriteAsync(context.Response, ApiError.Create(503, e.Reason, e.Message, null), ApiJsonContext.Default.ApiError, context.RequestAborted).ConfigureAwait(false);
    }

    private AuditEntry Received(HttpContext context, string requestId) =>
        audit!.Template(AuditEntry.RequestKind) with
        {
            Stage = "RequestReceived",
            RequestId = requestId,
            Source = context.Connection.RemoteIpAddress?.ToString(),
            Method = context.Request.Method,
            Path = context.Request.Path.Value,
        };

    /// <summary>A read has no RequestReceived entry to pair with, so its own entry id serves as its request id.</summary>
    private AuditEntry Completed(HttpContext context, string? requestId)
    {
        var caller = context.Items[typeof(CallerIdentity)] as CallerIdentity;
        var facts = context.Items[typeof(AuditFacts)] as AuditFacts;
        var error = context.Items[typeof(CofferException)] as CofferException;
        var userAgent = context.Request.Headers.UserAgent.ToString();
        var template = audit?.Template(AuditEntry.RequestKind) ?? Untracked();
        return template with
        {
            Stage = "ResponseComplete",
            RequestId = requestId ?? template.Id,
            User = caller?.Name,
            Groups = caller?.Principal.Groups,
            Accessor = caller?.Accessor,
            Root = caller?.IsRoot == true ? true : null,
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
            Level = LevelName(AuditCapture.LevelOf(context)),
            RequestObject = AuditCapture.RequestOf(context),
            ResponseObject = AuditCapture.ResponseOf(context),
        };
    }
}
