using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Webhook;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Kubernetes.Tests.Webhook;

/// <summary>The webhook over real HTTPS on 127.0.0.1, as the API server calls it.</summary>
public sealed class WebhookServerTests : IAsyncLifetime
{
    private X509Certificate2 certificate = null!;
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=coffer-webhook.coffer-system.svc", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = TimeProvider.System.GetUtcNow();
        certificate = request.CreateSelfSigned(now.AddMinutes(-1), now.AddHours(1));
        app = WebhookServer.Build(new IPEndPoint(IPAddress.Loopback, 0), certificate, new InjectionOptions("ghcr.io/coffer/coffer:1.0", "https://coffer.coffer-system.svc:8200"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var pinned = certificate.GetCertHashString();
        client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == pinned })
        {
            BaseAddress = new Uri(address),
        };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
        certificate.Dispose();
    }

    [Fact]
    public async Task Mutate_RecordedReview_OverHttps_AnswersWithPatch()
    {
        Assert.Equal("https", client.BaseAddress!.Scheme);
        var body = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Webhook", "Recorded", "pod-asks-for-secrets.json"));

        using var response = await client.PostAsync("/mutate", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", answer["response"]!["patchType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mutate_Malformed_Answers400Status_AndKeepsServing()
    {
        using var bad = await client.PostAsync("/mutate", new StringContent("{not json", Encoding.UTF8, "application/json"));
        var status = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal(400, status["code"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Mutate_Oversized_Answers413()
    {
        var huge = new string('x', PodInjection.MaxReviewBytes + 1);

        // Expect: 100-continue lets the refusal arrive before the body is sent, as a large client upload would do it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mutate") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
