using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Rotation;

/// <summary>A real HTTP endpoint on 127.0.0.1 that records what it is sent and answers with the status the test sets per step.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<JsonObject> Received { get; } = new();

    /// <summary>Status per <c>step</c> field (or <c>kind</c> for notices); 200 when not set.</summary>
    public ConcurrentDictionary<string, int> Answers { get; } = new(StringComparer.Ordinal);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            receiver!.Received.Enqueue(body);
            var key = (string?)body["step"] ?? (string?)body["kind"] ?? string.Empty;
            context.Response.StatusCode = receiver.Answers.TryGetValue(key, out var status) ? status : 200;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver = new WebhookReceiver(app, new Uri(address, "/hook"));
        return receiver;
    }

    public int Count(string step) => Received.Count(r => (string?)r["step"] == step || (string?)r["kind"] == step);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
