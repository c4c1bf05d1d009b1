using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;
using Coffer.Server.Watch;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Watch;

/// <summary>The change log is pruned past its retention; a watch resuming from a pruned revision gets 410 Gone, never a silent gap.</summary>
public sealed class ChangeLogPruningTests : IAsyncLifetime
{
    private readonly ManualTimeProvider time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private TestServer server = null!;

    private ChangeLogPruning Pruning => server.Server.Services.GetRequiredService<ChangeLogPruning>();

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync(time);
        await server.CreateNamespacesAsync("team-a");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task RunOnce_WithinRetention_PrunesNothing_AndResumingFromZeroStillWorks()
    {
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        time.Advance(TimeSpan.FromHours(23));

        Assert.Equal(0, await Pruning.RunOnceAsync(CancellationToken.None));
        using var response = await server.Client.GetAsync("/v1/watch/namespaces/team-a/secrets?revision=0&timeoutSeconds=0");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Watch_FromAPrunedRevision_Answers410Expired_AndFromTheNewestResumes()
    {
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "2" });
        await server.PutSecretAsync("team-a", "api", new Dictionary<string, string> { ["v"] = "3" });
        time.Advance(TimeSpan.FromHours(25));

        var removed = await Pruning.RunOnceAsync(CancellationToken.None);
        using var gone = await server.Client.GetAsync("/v1/watch/namespaces/team-a/secrets?revision=0&timeoutSeconds=0");
        var error = JsonNode.Parse(await gone.Content.ReadAsStringAsync())!;
        using var fresh = await server.Client.GetAsync("/v1/watch/namespaces/team-a/secrets?timeoutSeconds=0");
        var bookmark = JsonNode.Parse((await fresh.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "4" });
        using var resumed = await server.Client.GetAsync($"/v1/watch/namespaces/team-a/secrets?revision={bookmark["revision"]}&timeoutSeconds=0");
        var lines = (await resumed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, removed);
        Assert.Equal(410, (int)gone.StatusCode);
        Assert.Equal("Expired", error["reason"]!.GetValue<string>());
        Assert.Equal(200, (int)fresh.StatusCode);
        Assert.Equal(2, lines.Length);
        Assert.Equal("db", JsonNode.Parse(lines[0])!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_Open_WhenChangesItHasNotReadArePruned_EndsWithExpired()
    {
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        using var response = await server.Client.GetAsync("/v1/watch/namespaces/team-a/secrets?timeoutSeconds=60", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = JsonNode.Parse((await reader.ReadLineAsync(deadline.Token))!)!;

        // Written and pruned in one transaction, behind the server's back: the open stream can never have read it.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "coffer.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO secret_changes (namespace, name, version, kind, at) VALUES ('team-a', 'unread', 1, 'written', 0);
                INSERT INTO secret_changes (namespace, name, version, kind, at) VALUES ('team-a', 'newest', 1, 'written', 0);
                DELETE FROM secret_changes WHERE revision < (SELECT MAX(revision) FROM secret_changes);
                """;
            command.ExecuteNonQuery();
        }

        var last = JsonNode.Parse((await reader.ReadLineAsync(deadline.Token))!)!;

        Assert.Equal("bookmark", first["type"]!.GetValue<string>());
        Assert.Equal(WatchEndpoints.ExpiredType, last["type"]!.GetValue<string>());
        Assert.Equal(first["revision"]!.GetValue<long>(), last["revision"]!.GetValue<long>());
        Assert.Null(await reader.ReadLineAsync(deadline.Token));
    }
}
