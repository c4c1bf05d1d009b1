using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Webhook;

/// <summary>The mutating admission webhook over HTTPS: <c>POST /mutate</c> takes an AdmissionReview, <c>GET /healthz</c> answers ok.</summary>
internal static class WebhookServer
{
    public static WebApplication Build(IPEndPoint listen, X509Certificate2? certificate, InjectionOptions options, ILoggerFactory? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = PodInjection.MaxReviewBytes;
            kestrel.Listen(listen, endpoint =>
            {
                if (certificate is not null)
                {
                    endpoint.UseHttps(certificate);
                }
            });
        });
        if (logging is not null)
        {
            builder.Services.AddSingleton(logging);
        }

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapPost("/mutate", async (HttpContext context) =>
        {
            if (context.Request.ContentLength > PodInjection.MaxReviewBytes)
            {
                return Results.Json(Failure(413, "the AdmissionReview is too large"), statusCode: 413);
            }

            using var body = new MemoryStream();
            try
            {
                await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
                var answer = PodInjection.Review(body.GetBuffer().AsSpan(0, (int)body.Length), options);
                return Results.Text(answer.ToJsonString(), "application/json");
            }
            catch (JsonException e)
            {
                return Results.Json(Failure(400, $"not an admission.k8s.io/v1 AdmissionReview: {e.Message}"), statusCode: 400);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
            {
                return Results.Json(Failure(413, "the AdmissionReview is too large"), statusCode: 413);
            }
        });
        return app;
    }

    private static Dictionary<string, object> Failure(int code, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["code"] = code,
        ["message"] = message,
    };
}
