using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Rotation;
using Coffer.Server.Tests.Hosting;
using Coffer.Storage.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Rotation;

/// <summary>Two replicas on one PostgreSQL rotating the same secret at once: the shared rotation record makes it happen once.</summary>
public sealed class RotationReplicaTests : IAsyncLifetime
{
    private readonly ManualTimeProvider clock = new(TimeProvider.System.GetUtcNow());
    private readonly List<string> folders = [];
    private string connectionString = null!;

    public async Task InitializeAsync() => connectionString = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await PostgresServer.DropDatabaseAsync(connectionString);
        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task BothSchedulersAndBothApis_AtOnce_RotateExactlyOnce()
    {
        await using var first = await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None);
        await using var second = await CofferServer.StartAsync(Replica(), TextWriter.Null, CancellationToken.None);
        using var a = new HttpClient { BaseAddress = first.Address };
        using var b = new HttpClient { BaseAddress = second.Address };
        var init = await SendAsync(a, HttpMethod.Post, "/v1/sys/init", """{"shares":1,"threshold":1}""");
        foreach (var client in new[] { a, b })
        {
            await SendAsync(client, HttpMethod.Post, "/v1/sys/unseal", JsonSerializer.Serialize(new { key = (string)init["keys"]![0]! }));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)init["rootToken"]!);
        }

        await SendAsync(a, HttpMethod.Put, "/v1/namespaces/default/secrets/api", """{"stringData":{"key":"first"}}""");
        await SendAsync(b, HttpMethod.Put, "/v1/namespaces/default/rotation/secrets/api", """{"period":"1d","rotator":"generate","generate":[{"kind":"password","key":"key"}]}""");

        clock.Advance(TimeSpan.FromDays(2));
        var schedulers = new[] { first, second }.Select(s => s.Services.GetRequiredService<RotationScheduler>()).ToList();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(schedulers.Select(s => Task.Run(() => s.RunOnceAsync(CancellationToken.None))));
        }

        var afterSchedule = await SendAsync(b, HttpMethod.Get, "/v1/namespaces/default/secrets/api/versions", null);
        Assert.Equal(2, (long)afterSchedule["currentVersion"]!);

        var rotations = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).PostAsync("/v1/namespaces/default/rotation/secrets/api/rotate", new StringContent("""{"token":"shared-1"}""", Encoding.UTF8, "application/json")))));
        foreach (var response in rotations)
        {
            // A replica that finds another's rotation mid-way under the same token resumes it; none starts a second one.
            Assert.True(response.IsSuccessStatusCode || (int)response.StatusCode == 409, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            response.Dispose();
        }

        var finished = await SendAsync(a, HttpMethod.Post, "/v1/namespaces/default/rotation/secrets/api/rotate", """{"token":"shared-1"}""");
        Assert.Equal("Finished", (string?)finished["status"]);
        Assert.Equal(3, (long)finished["currentVersion"]!);
        Assert.Equal(3, (await SendAsync(b, HttpMethod.Get, "/v1/namespaces/default/secrets/api/versions", null))["items"]!.AsArray().Count);
    }

    private CofferServerOptions Replica()
    {
        var folder = Directory.CreateTempSubdirectory("coffer-rotation-replica-").FullName;
        folders.Add(folder);
        return new CofferServerOptions { Listen = "127.0.0.1:0", PostgresConnectionString = connectionString, InsecureListen = true, LogLevel = LogLevel.Warning, AuditDirectory = folder, TimeProvider = clock };
    }

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
