using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Hosting;

/// <summary>PostgreSQL stopped under load: quick 503s, no hang, and after it returns, service resumes with no acknowledged write lost.</summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task PostgresStoppedUnderLoad_503QuicklyThenResumes_NoAcknowledgedWriteLost()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var output = new StringWriter();
        var audit = Directory.CreateTempSubdirectory("coffer-outage-audit-").FullName;
        await using (var server = await CofferServer.StartAsync(
            new CofferServerOptions { Dev = true, PostgresConnectionString = postgres.ConnectionString, Listen = "127.0.0.1:0", AuditDirectory = audit, LogLevel = LogLevel.Error, LogWriter = TextWriter.Null },
            output,
            CancellationToken.None))
        {
            var token = output.ToString().Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal))["Root token: ".Length..].Trim();
            // Generous against a loaded test machine; a request that takes this long counts as a hang.
            using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(20) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var acknowledged = new ConcurrentDictionary<string, string>();
            var statuses = new ConcurrentBag<int>();
            using var stop = new CancellationTokenSource();
            var next = 0;
            async Task LoadAsync()
            {
                while (!stop.IsCancellationRequested)
                {
                    var i = Interlocked.Increment(ref next);
                    var value = $"value-{i}";
                    using var put = await client.PutAsync($"/v1/namespaces/default/secrets/s{i}", new StringContent(new JsonObject { ["stringData"] = new JsonObject { ["v"] = value } }.ToJsonString(), Encoding.UTF8, "application/json"));
                    statuses.Add((int)put.StatusCode);
                    if (put.IsSuccessStatusCode)
                    {
                        acknowledged[$"s{i}"] = value;
                    }
                }
            }

            var load = Enumerable.Range(0, 4).Select(_ => Task.Run(LoadAsync)).ToList();
            await Poll.UntilAsync(() => acknowledged.Count >= 10, "writes before the outage");
            await postgres.StopServerAsync();
            var before = statuses.Count;
            await Poll.UntilAsync(() => statuses.Count(s => s == 503) >= 20, "503s while PostgreSQL is down");
            await postgres.StartServerAsync();
            var acknowledgedBefore = acknowledged.Count;
            await Poll.UntilAsync(() => acknowledged.Count > acknowledgedBefore + 20, "service resumed by itself");
            await stop.CancelAsync();
            await Task.WhenAll(load);

            Assert.True(statuses.Count > before);
            Assert.All(statuses, s => Assert.Contains(s, new[] { 200, 201, 503 }));
            foreach (var (name, value) in acknowledged)
            {
                var body = JsonNode.Parse(await client.GetStringAsync($"/v1/namespaces/default/secrets/{name}"))!;
                var stored = Encoding.UTF8.GetString(Convert.FromBase64String((string)body["data"]!["v"]!));
                Assert.Equal(value, stored);
            }
        }

        Directory.Delete(audit, recursive: true);
    }
}
