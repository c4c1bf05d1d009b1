using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Server.Hosting;

namespace Coffer.Server.Api;

/// <summary>Turns every failure into the one error shape; unexpected ones become 500 without detail.</summary>
internal sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (CofferException e)
        {
            // For the audit entry: the reason is stable and the message names fields and rules, never values.
            context.Items[typeof(CofferException)] = e;
            await WriteAsync(context, ErrorStatus.For(e.Kind), e.Reason, e.Message, e.Field).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteAsync(context, e.StatusCode, "RequestTooLarge", "the request body is too large", null).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, "BadRequest", "the request could not be read", null).ConfigureAwait(false);
        }
        catch (CryptographicException)
        {
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "DecryptionFailed", "stored data failed its integrity check", null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
#pragma warning disable CA1031 // The last line of defence must catch everything and answer 500.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ServerLog.Unhandled(logger, e.GetType().Name, context.Request.Method, context.Request.Path, e);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "InternalError", "internal error", null).ConfigureAwait(false);
        }
    }

    public static async Task WriteAsync(HttpContext context, int status, string reason, string message, string? field)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await ApiJson.WriteAsync(context.Response, ApiError.Create(status, reason, message, field), ApiJsonContext.Default.ApiError, context.RequestAborted).ConfigureAwait(false);
    }
}
