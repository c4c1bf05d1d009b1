using System.Net;
using System.Net.Http.Headers;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Metrics;

/// <summary>/metrics: what it counts, that promtool accepts it, who may read it, and that it works while sealed.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string Canary = "metrics-canary-51c0ffee";
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartDevAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterReadsWritesAndADenial_CountsThemAndPassesPromtool()
    {
        await server.CreateNamespacesAsync("shop");
        await server.PutSecretAsync("shop", "db", new Dictionary<string, string> { ["password"] = Canary });
        await server.GetSecretAsync("shop", "db");
        await server.GetSecretAsync("shop", "db");
        var limited = await server.PostJsonAsync("/v1/tokens", """{"ttl":"1h","roles":[]}""");
        using (var denied = new HttpRequestMessage(HttpMethod.Get, "/v1/namespaces/shop/secrets/db"))
        {
            denied.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)limited["token"]!);
            using var response = await server.Client.SendAsync(denied);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var text = await ScrapeAsync();

        Assert.Contains("coffer_secret_reads_total{namespace=\"shop\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("coffer_secret_writes_total{namespace=\"shop\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("coffer_access_denied_total{verb=\"get\",resource=\"secrets\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("coffer_sealed 0", text, StringComparison.Ordinal);
        Assert.Matches(@"coffer_key_encryption_key_age_seconds \d", text);
        Assert.Matches(@"coffer_audit_entries_total [1-9]", text);
        Assert.Contains("coffer_audit_sink_failures_total 0", text, StringComparison.Ordinal);
        Assert.Contains("coffer_audit_pending_entries", text, StringComparison.Ordinal);
        // Each operation under its own label: two reads that reached storage, one write.
        Assert.Contains("coffer_storage_operation_duration_seconds_count{operation=\"read\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("coffer_storage_operation_duration_seconds_count{operation=\"write\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("endpoint=\"/v1/namespaces/{namespace}/secrets/{name}\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(server.RootToken!, text, StringComparison.Ordinal);

        var (exit, output) = await ExternalTool.RunAsync("promtool", ["check", "metrics"], text);
        Assert.True(exit == 0, $"promtool check metrics failed ({exit}):\n{output}");
    }

    [Fact]
    public async Task Metrics_WithoutAToken_Is401()
    {
        server.UseToken(null);
        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_WhileSealed_ReportsSealed()
    {
        await server.PostJsonAsync("/v1/sys/seal", "{}");
        var text = await ScrapeAsync();
        Assert.Contains("coffer_sealed 1", text, StringComparison.Ordinal);
        Assert.Contains("coffer_key_encryption_key_age_seconds 0", text, StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await server.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }
}
