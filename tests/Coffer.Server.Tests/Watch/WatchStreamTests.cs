using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Watch;

/// <summary>The secret watch stream: change events without values, resumable by revision, live, and strict about its parameters.</summary>
public sealed class WatchStreamTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync();
        await server.CreateNamespacesAsync("team-a", "team-b");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Watch_FromRevisionZero_ListsChangesInOrderWithoutValues()
    {
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "hunter2-value" });
        await server.PutSecretAsync("team-b", "elsewhere", new Dictionary<string, string> { ["v"] = "x" });
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "second-value" });
        using (await server.SendJsonAsync(HttpMethod.Delete, "/v1/namespaces/team-a/secrets/db"))
        {
        }

        var (status, body) = await GetAsync("/v1/watch/namespaces/team-a/secrets?revision=0&timeoutSeconds=0");
        var events = Lines(body);

        Assert.Equal(200, status);
        Assert.Equal(["written:db:1", "written:db:2", "deleted:db:2", "bookmark"], events.Select(Describe));
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("second-value", body, StringComparison.Ordinal);
        Assert.DoesNotContain("elsewhere", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ResumedFromARevision_SendsOnlyLaterChanges()
    {
        await server.PutSecretAsync("team-a", "one", new Dictionary<string, string> { ["v"] = "1" });
        var first = Lines((await GetAsync("/v1/watch/namespaces/team-a/secrets?revision=0&timeoutSeconds=0")).Body);
        var resumeAt = first[^1]["revision"]!.GetValue<long>();
        await server.PutSecretAsync("team-a", "two", new Dictionary<string, string> { ["v"] = "2" });

        var resumed = Lines((await GetAsync($"/v1/watch/namespaces/team-a/secrets?revision={resumeAt}&timeoutSeconds=0")).Body);

        Assert.Equal(["written:two:1", "bookmark"], resumed.Select(Describe));
        Assert.True(resumed[0]["revision"]!.GetValue<long>() > resumeAt);
    }

    [Fact]
    public async Task Watch_Open_ReceivesAWriteMadeAfterConnecting()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/watch/namespaces/team-a/secrets?timeoutSeconds=60");
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var bookmark = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        Assert.Equal("bookmark", bookmark["type"]!.GetValue<string>());

        await server.PutSecretAsync("team-a", "live", new Dictionary<string, string> { ["v"] = "secret-live-value" });
        JsonNode next;
        do
        {
            next = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        }
        while (next["type"]!.GetValue<string>() == "bookmark");

        Assert.Equal("written:live:1", Describe(next));
        Assert.True(next["revision"]!.GetValue<long>() > bookmark["revision"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("revision=abc")]
    [InlineData("revision=-1")]
    [InlineData("revision=1&revision=2")]
    [InlineData("revision=99999999999999999999999")]
    [InlineData("timeoutSeconds=3601")]
    [InlineData("timeoutSeconds=1.5")]
    public async Task Watch_BadParameters_Answers400(string query)
    {
        using var response = await server.Client.GetAsync($"/v1/watch/namespaces/team-a/secrets?{query}");
        await TestServer.AssertErrorAsync(response, 400);
    }

    [Fact]
    public async Task Watch_InvalidNamespace_Answers400()
    {
        using var response = await server.Client.GetAsync("/v1/watch/namespaces/Not_A_Namespace/secrets?timeoutSeconds=0");
        await TestServer.AssertErrorAsync(response, 400);
    }

    private async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await server.Client.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static List<JsonNode> Lines(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    private static string Describe(JsonNode line) =>
        line["type"]!.GetValue<string>() is "bookmark" ? "bookmark" : $"{line["type"]!.GetValue<string>()}:{line["name"]!.GetValue<string>()}:{line["version"]!.GetValue<long>()}";
}
