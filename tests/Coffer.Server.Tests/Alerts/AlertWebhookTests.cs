using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Coffer.Server.Alerts;
using Coffer.Server.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Tests.Alerts;

/// <summary>Alerts leave a real server as Slack-compatible JSON, and show in /v1/alerts and the metrics.</summary>
public sealed class AlertWebhookTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<JsonObject> received = new();
    private LoopbackHttpServer receiver = null!;
    private TestServer server = null!;
    private int failuresLeft;

    public async Task InitializeAsync()
    {
        receiver = await LoopbackHttpServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            // The first post fails, as a receiver restarting would: the alert must still arrive, by retry.
            if (Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                return Results.StatusCode(503);
            }

            received.Enqueue((await JsonNode.ParseAsync(context.Request.Body))!.AsObject());
            return Results.Ok();
        }));
        var hook = receiver.At("/hook");
        failuresLeft = 1;
        server = await TestServer.StartDevAsync(configure: (_, o) => o with { Alerts = new AlertOptions { WebhookUrl = hook, DeniedBurstThreshold = 3 } });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task RootTokenUse_IsPostedToTheWebhook_ListedAndCounted()
    {
        await server.GetJsonAsync("/v1/namespaces");

        var message = await Poll.ForAsync(() => received.FirstOrDefault(m => ((string?)m["text"])?.Contains("[root-token-use]", StringComparison.Ordinal) == true), "the root-token-use alert");
        Assert.Contains("GET /v1/namespaces", (string)message["text"]!, StringComparison.Ordinal);
        var alerts = await server.GetJsonAsync("/v1/alerts");
        Assert.Contains(alerts["items"]!.AsArray(), a => (string?)a!["rule"] == AlertRules.RootTokenUse);
        using var metrics = await server.Client.GetAsync("/metrics");
        Assert.Contains("coffer_alerts_total{rule=\"root-token-use\"}", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeniedBurst_FromALimitedToken_IsPosted()
    {
        var limited = await server.PostJsonAsync("/v1/tokens", """{"ttl":"1h"}""");
        server.UseToken((string)limited["token"]!);
        for (var i = 0; i < 3; i++)
        {
            using var denied = await server.Client.GetAsync($"/v1/namespaces/default/secrets/s{i}");
            Assert.Equal(403, (int)denied.StatusCode);
        }

        var message = await Poll.ForAsync(() => received.FirstOrDefault(m => ((string?)m["text"])?.Contains("[denied-burst]", StringComparison.Ordinal) == true), "the denied-burst alert");
        Assert.Contains("3 requests denied", (string)message["text"]!, StringComparison.Ordinal);
    }
}
