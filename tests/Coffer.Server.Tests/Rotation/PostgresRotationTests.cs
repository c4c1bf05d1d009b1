using System.Collections.Concurrent;
using Coffer.Server.Rotation;
using Coffer.Server.Tests.Hosting;
using Coffer.Storage.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coffer.Server.Tests.Rotation;

/// <summary>
/// Both PostgreSQL strategies against the real test PostgreSQL, with clients that keep querying throughout: they read the
/// credential from Coffer before each login, as an application reloading its secret would.
/// </summary>
public sealed class PostgresRotationTests : IAsyncLifetime
{
    private const string Rotation = "/v1/namespaces/team-a/rotation/secrets/db";

    private readonly ManualTimeProvider clock = new(TimeProvider.System.GetUtcNow());
    private readonly string suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> roles = [];
    private TestServer server = null!;
    private string database = null!;

    private string RoleA => $"app_a_{suffix}";

    private string RoleB => $"app_b_{suffix}";

    public async Task InitializeAsync()
    {
        await PasswordCheckedPostgres.EnsureAsync();
        database = await PostgresServer.CreateDatabaseAsync();
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await PasswordCheckedPostgres.ExecuteAsync(admin, "CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2);");
            foreach (var role in new[] { RoleA, RoleB })
            {
                roles.Add(role);
                await PasswordCheckedPostgres.ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN PASSWORD 'initial-{suffix}' IN ROLE {PasswordCheckedPostgres.Group}; GRANT SELECT ON items TO {role};");
            }
        }

        server = await TestServer.StartDevAsync(clock);
        await server.CreateNamespacesAsync("team-a");
        await server.PutSecretAsync("team-a", "pg-admin", new Dictionary<string, string> { ["connectionString"] = database });
        await server.PutSecretAsync("team-a", "db", new Dictionary<string, string> { ["username"] = RoleA, ["password"] = $"initial-{suffix}" });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(database);
        await using var admin = new NpgsqlConnection(PostgresServer.AdminConnectionString);
        await admin.OpenAsync();
        foreach (var role in roles)
        {
            await PasswordCheckedPostgres.ExecuteAsync(admin, $"DROP ROLE IF EXISTS {role};");
        }
    }

    private string DatabaseName => new NpgsqlConnectionStringBuilder(database).Database!;

    private async Task PutPolicyAsync(string postgres, string? extra = null)
    {
        using var response = await server.PutJsonAsync(Rotation, $$"""{"rotator":"postgres","postgres":{{postgres}}{{extra}}}""");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private string Alternating => $$"""{"connectionSecret":"pg-admin","strategy":"alternating","usernames":["{{RoleA}}","{{RoleB}}"]}""";

    [Fact]
    public async Task Alternating_ClientQueryingThroughoutTwoRotations_NeverFailsALogin()
    {
        await PutPolicyAsync(Alternating, ""","revokePreviousAfter":"1h" """);
        await using var client = ReloadingClient.Start(server, DatabaseName, fallBackToPending: false);
        await client.WaitForQueriesAsync(5);

        var first = await server.PostJsonAsync($"{Rotation}/rotate", "{}");
        await client.WaitForQueriesAsync(client.Queries + 5);
        Assert.Equal("Finished", (string?)first["status"]);
        var afterFirst = (await server.GetSecretAsync("team-a", "db")).Values;
        Assert.Equal(RoleB, afterFirst["username"]);

        // The previous credential still works during the grace period, then the scheduler revokes it.
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(RoleA, $"initial-{suffix}", DatabaseName));
        clock.Advance(TimeSpan.FromHours(2));
        await server.Server.Services.GetRequiredService<RotationScheduler>().RunOnceAsync(CancellationToken.None);
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(RoleA, $"initial-{suffix}", DatabaseName));
        await client.WaitForQueriesAsync(client.Queries + 5);

        await server.PostJsonAsync($"{Rotation}/rotate", "{}");
        await client.WaitForQueriesAsync(client.Queries + 5);
        var stats = await client.StopAsync();

        var current = (await server.GetSecretAsync("team-a", "db")).Values;
        Assert.Equal(RoleA, current["username"]);
        Assert.NotEqual($"initial-{suffix}", current["password"]);
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(current["username"], current["password"], DatabaseName));
        Assert.Empty(stats.Failures);
        Assert.True(stats.Queries >= 20, $"only {stats.Queries} queries ran");
    }

    [Fact]
    public async Task SingleUser_EachStepRetried_OpenSessionsKeepWorkingAndNoLoginIsLost()
    {
        await PutPolicyAsync($$"""{"connectionSecret":"pg-admin","strategy":"single"}""");
        await using var client = ReloadingClient.Start(server, DatabaseName, fallBackToPending: true);
        await using var held = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Username = RoleA, Password = $"initial-{suffix}", Pooling = false }.ConnectionString);
        await held.OpenAsync();
        await client.WaitForQueriesAsync(5);

        foreach (var step in new[] { "create", "create", "set", "set", "test", "test", "finish", "finish" })
        {
            using var response = await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/steps/{step}", """{"token":"single-1"}""");
            Assert.True(response.IsSuccessStatusCode, $"{step}: {await response.Content.ReadAsStringAsync()}");
            await using var query = new NpgsqlCommand("SELECT count(*) FROM items;", held);
            Assert.Equal(2L, await query.ExecuteScalarAsync());
            await client.WaitForQueriesAsync(client.Queries + 2);
        }

        var stats = await client.StopAsync();
        var current = (await server.GetSecretAsync("team-a", "db")).Values;
        Assert.Equal(2, (await server.GetSecretAsync("team-a", "db")).Version);
        Assert.Equal(RoleA, current["username"]);
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(RoleA, current["password"], DatabaseName));
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(RoleA, $"initial-{suffix}", DatabaseName));
        Assert.Empty(stats.Failures);
    }

    [Fact]
    public async Task Alternating_TestStepFails_CurrentStaysAndWorks_ReasonReported()
    {
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await PasswordCheckedPostgres.ExecuteAsync(admin, $"REVOKE CONNECT ON DATABASE {DatabaseName} FROM PUBLIC; GRANT CONNECT ON DATABASE {DatabaseName} TO {RoleA};");
        }

        await PutPolicyAsync(Alternating);
        var error = await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/rotate", """{"token":"fails-1"}"""), 409, "RotationStepFailed");

        Assert.Contains($"logging in as {RoleB}", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Contains("42501", (string)error["message"]!, StringComparison.Ordinal);
        var (version, current) = await server.GetSecretAsync("team-a", "db");
        Assert.Equal(1, version);
        Assert.Equal(RoleA, current["username"]);
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(RoleA, $"initial-{suffix}", DatabaseName));
        var rotation = await server.GetJsonAsync(Rotation);
        Assert.Equal("Failed", (string?)rotation["status"]);
        Assert.Equal("Set", (string?)rotation["lastStep"]);
        Assert.DoesNotContain((await server.GetJsonAsync($"/v1/namespaces/team-a/secrets/db?stage=pending"))["data"]!["password"]!.ToString(), (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alternating_PartnerRoleMissing_SetFailsAndCurrentStays()
    {
        await PutPolicyAsync($$"""{"connectionSecret":"pg-admin","strategy":"alternating","usernames":["{{RoleA}}","nobody_{{suffix}}"]}""");
        var error = await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/rotate", "{}"), 409, "RotationStepFailed");
        Assert.Contains("does not exist", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Equal(1, (await server.GetSecretAsync("team-a", "db")).Version);
    }

    /// <summary>Before every query: read the secret, log in anew, query. With fallback, a refused login retries with pending.</summary>
    private sealed class ReloadingClient : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly ConcurrentQueue<string> failures = new();
        private Task loop = Task.CompletedTask;
        private int queries;

        public int Queries => Volatile.Read(ref queries);

        public static ReloadingClient Start(TestServer server, string database, bool fallBackToPending)
        {
            var client = new ReloadingClient();
            client.loop = Task.Run(() => client.RunAsync(server, database, fallBackToPending));
            return client;
        }

        public async Task WaitForQueriesAsync(int count)
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
            while (Queries < count)
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"the client made only {Queries} queries; failures: {string.Join("; ", failures)}");
                Assert.False(loop.IsCompleted, $"the client stopped: {loop.Exception}");
                await Task.Delay(20);
            }
        }

        public async Task<(int Queries, IReadOnlyList<string> Failures)> StopAsync()
        {
            await stop.CancelAsync();
            await loop;
            return (Queries, failures.ToList());
        }

        public async ValueTask DisposeAsync()
        {
            if (!stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            stop.Dispose();
        }

        private async Task RunAsync(TestServer server, string database, bool fallBackToPending)
        {
            while (!stop.IsCancellationRequested)
            {
                var current = (await server.GetSecretAsync("team-a", "db")).Values;
                var ok = await QueryAsync(database, current);
                if (!ok && fallBackToPending)
                {
                    using var response = await server.Client.GetAsync("/v1/namespaces/team-a/secrets/db?stage=pending");
                    if (response.IsSuccessStatusCode)
                    {
                        var pending = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsObject()
                            .ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)kv.Value!)));
                        ok = await QueryAsync(database, pending);
                    }
                    else
                    {
                        // Finished meanwhile: current holds the new password now.
                        ok = await QueryAsync(database, (await server.GetSecretAsync("team-a", "db")).Values);
                    }
                }

                if (ok)
                {
                    Interlocked.Increment(ref queries);
                }
                else
                {
                    failures.Enqueue($"login as {current["username"]} refused");
                }
            }
        }

        private static async Task<bool> QueryAsync(string database, IReadOnlyDictionary<string, string> credential)
        {
            var builder = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString)
            {
                Database = database,
                Username = credential["username"],
                Password = credential["password"],
                Pooling = false,
            };
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM items;", connection);
                return (long)(await command.ExecuteScalarAsync())! == 2;
            }
            catch (PostgresException e) when (e.SqlState == "28P01")
            {
                return false;
            }
        }
    }
}
