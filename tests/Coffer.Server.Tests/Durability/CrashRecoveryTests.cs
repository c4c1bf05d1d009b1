using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Durability;

/// <summary>Kills a real server process with SIGKILL mid-stream and checks every acknowledged write after restart.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int Writers = 8;
    private const int AcknowledgedBeforeKill = 200;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-crash-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Sigkill_DuringWrites_EveryAcknowledgedWriteSurvives()
    {
        var data = Path.Combine(folder, "data");
        var keyFile = Path.Combine(folder, "unseal.key");
        string rootToken;
        var acknowledged = new ConcurrentBag<(string Name, long Version, string Value)>();

        await using (var first = await ServerProcess.StartAsync("--data", data, "--listen", "127.0.0.1:0", "--insecure-listen"))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            var init = await PostAsync(client, "/v1/sys/init", """{"shares":1,"threshold":1}""");
            var share = init["keys"]![0]!.GetValue<string>();
            rootToken = init["rootToken"]!.GetValue<string>();
            var unsealed = await PostAsync(client, "/v1/sys/unseal", JsonSerializer.Serialize(new { key = share }));
            Assert.False(unsealed["sealed"]!.GetValue<bool>());
            await File.WriteAllTextAsync(keyFile, share + "\n");
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rootToken);

            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteUntilFailureAsync(client, w, acknowledged, enough, stop.Token))).ToArray();
            var reached = await Task.WhenAny(enough.Task, Task.Delay(Deadline));
            Assert.True(reached == enough.Task, $"only {acknowledged.Count} writes acknowledged before the deadline\n{first.Log}");

            // Writes are still in flight: this is the crash the test is about.
            await first.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count >= AcknowledgedBeforeKill);
        await using var second = await ServerProcess.StartAsync("--data", data, "--listen", "127.0.0.1:0", "--insecure-listen", "--unseal-key-file", keyFile);
        using var reader = new HttpClient { BaseAddress = second.Address };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rootToken);
        var missing = new List<string>();
        foreach (var (name, version, value) in acknowledged)
        {
            using var response = await reader.GetAsync($"/v1/namespaces/default/secrets/{name}?version={version}");
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                missing.Add($"{name} v{version}: {(int)response.StatusCode} {body}");
                continue;
            }

            var stored = Encoding.UTF8.GetString(Convert.FromBase64String(JsonNode.Parse(body)!["data"]!["value"]!.GetValue<string>()));
            if (stored != value)
            {
                missing.Add($"{name} v{version}: value differs");
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes lost:\n{string.Join('\n', missing.Take(20))}");

        // Every secret, including those whose last write was cut off, still reads cleanly at its current version.
        foreach (var name in acknowledged.Select(a => a.Name).Distinct())
        {
            using var response = await reader.GetAsync($"/v1/namespaces/default/secrets/{name}");
            Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Each writer updates its own secret and now and then creates a new one, until the server dies.</summary>
    private static async Task WriteUntilFailureAsync(
        HttpClient client,
        int writer,
        ConcurrentBag<(string Name, long Version, string Value)> acknowledged,
        TaskCompletionSource enough,
        CancellationToken cancellationToken)
    {
        for (var sequence = 0; !cancellationToken.IsCancellationRequested; sequence++)
        {
            var name = sequence % 5 == 4 ? $"new-{writer}-{sequence}" : $"writer-{writer}";
            var value = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
            var body = JsonSerializer.Serialize(new { stringData = new Dictionary<string, string> { ["value"] = value }, maxVersions = 1000 });
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PutAsync($"/v1/namespaces/default/secrets/{name}", content, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return;
                }

                var metadata = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                acknowledged.Add((name, metadata!["metadata"]!["version"]!.GetValue<long>(), value));
                if (acknowledged.Count >= AcknowledgedBeforeKill)
                {
                    enough.TrySetResult();
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return;
            }
        }
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
