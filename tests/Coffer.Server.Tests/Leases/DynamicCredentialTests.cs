using System.Text.Json.Nodes;
using Coffer.Server.Leases;
using Coffer.Server.Tests.Hosting;
using Coffer.Server.Tests.Rotation;
using Coffer.Storage.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coffer.Server.Tests.Leases;

/// <summary>Dynamic PostgreSQL logins against the real test PostgreSQL; expiry is driven by a clock the test moves.</summary>
public sealed class DynamicCredentialTests : IAsyncLifetime
{
    private const string Creds = "/v1/namespaces/team-a/database/creds/ro";

    private static readonly string Role = $$$"""
        {"connection":"pg","defaultTtl":"1h","maxTtl":"2h","creationStatements":[
          "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE {{{PasswordCheckedPostgres.Group}}};",
          "GRANT SELECT ON items TO \"{{name}}\";"]}
        """;

    private readonly ManualTimeProvider clock = new(TimeProvider.System.GetUtcNow());
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-leases-").FullName;
    private TestServer server = null!;
    private string database = null!;

    private string DatabaseName => new NpgsqlConnectionStringBuilder(database).Database!;

    public async Task InitializeAsync()
    {
        await PasswordCheckedPostgres.EnsureAsync();
        database = await PostgresServer.CreateDatabaseAsync();
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await PasswordCheckedPostgres.ExecuteAsync(admin, "CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2);");
        }

        server = await StartAsync(null);
        var init = await server.PostJsonAsync("/v1/sys/init", """{"shares":1,"threshold":1}""");
        server.UseToken((string)init["rootToken"]!);
        var key = (string)init["keys"]![0]!;
        await server.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = key }.ToJsonString());
        var keyFile = Path.Combine(folder, "unseal.key");
        await File.WriteAllTextAsync(keyFile, key + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await server.CreateNamespacesAsync("team-a");
        await server.PutSecretAsync("team-a", "pg-admin", new Dictionary<string, string> { ["connectionString"] = database });
        await PutAsync("/v1/namespaces/team-a/database/connections/pg", """{"connectionSecret":"pg-admin"}""");
        await PutAsync("/v1/namespaces/team-a/database/roles/ro", Role);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(database);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task<TestServer> StartAsync(string? unsealKeyFile) => TestServer.StartAsync(
        f => new CofferServerOptions
        {
            Listen = "127.0.0.1:0",
            DataDirectory = Path.Combine(f, "data"),
            InsecureListen = true,
            UnsealKeyFile = unsealKeyFile,
            LogLevel = LogLevel.Warning,
            TimeProvider = clock,
        },
        folder);

    private async Task PutAsync(string path, string body)
    {
        using var response = await server.PutJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {await response.Content.ReadAsStringAsync()}");
    }

    private Task<int> ExpireAsync(TestServer on) => on.Server.Services.GetRequiredService<LeaseExpiry>().RunOnceAsync(CancellationToken.None);

    private async Task<(string Lease, string User, string Password)> IssueAsync(string body = "{}")
    {
        var issued = await server.PostJsonAsync(Creds, body);
        return ((string)issued["leaseId"]!, (string)issued["username"]!, (string)issued["password"]!);
    }

    private async Task<NpgsqlConnection> OpenAsync(string user, string password)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Username = user, Password = password, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM items;", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Creds_WorkUntilExpiry_ThenRoleDroppedAndSessionsEnded()
    {
        var (lease, user, password) = await IssueAsync();
        Assert.StartsWith("team-a/database/creds/ro/", lease, StringComparison.Ordinal);
        await using var held = await OpenAsync(user, password);
        Assert.Equal(2, await CountAsync(held));

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await ExpireAsync(server));
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        Assert.Equal(2, await CountAsync(held));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await ExpireAsync(server));
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => CountAsync(held));
        var leases = await server.GetJsonAsync("/v1/namespaces/team-a/leases?all=true");
        Assert.NotNull(leases["items"]![0]!["revokedAt"]);
        Assert.Empty((await server.GetJsonAsync("/v1/namespaces/team-a/leases"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Renew_ExtendsUpToTheMaximumOnly()
    {
        var issuedAt = clock.GetUtcNow();
        var (lease, user, password) = await IssueAsync();
        clock.Advance(TimeSpan.FromMinutes(50));
        var renewed = await server.PostJsonAsync("/v1/namespaces/team-a/leases/renew", $$"""{"leaseId":"{{lease}}","increment":"1h"}""");
        Assert.Equal(issuedAt.AddMinutes(110), DateTimeOffset.Parse((string)renewed["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture));

        clock.Advance(TimeSpan.FromMinutes(50));
        var capped = await server.PostJsonAsync("/v1/namespaces/team-a/leases/renew", $$"""{"leaseId":"{{lease}}","increment":"1h"}""");
        Assert.Equal(issuedAt.AddHours(2), DateTimeOffset.Parse((string)capped["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture));

        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, await ExpireAsync(server));
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await ExpireAsync(server));
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/team-a/leases/renew", $$"""{"leaseId":"{{lease}}"}"""), 409, "LeaseRevoked");
    }

    [Fact]
    public async Task Revoke_OneById_ThenTheRestByPrefix()
    {
        var issued = new List<(string Lease, string User, string Password)>();
        for (var i = 0; i < 3; i++)
        {
            issued.Add(await IssueAsync("""{"ttl":"30m"}"""));
        }

        var one = await server.PostJsonAsync("/v1/namespaces/team-a/leases/revoke", $$"""{"leaseId":"{{issued[0].Lease}}"}""");
        Assert.Single(one["revoked"]!.AsArray());
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(issued[0].User, issued[0].Password, DatabaseName));
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(issued[1].User, issued[1].Password, DatabaseName));

        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/team-a/leases/revoke", """{"prefix":"team-b/"}"""), 400);
        var rest = await server.PostJsonAsync("/v1/namespaces/team-a/leases/revoke", """{"prefix":"team-a/database/creds/ro/"}""");
        Assert.Equal(2, rest["revoked"]!.AsArray().Count);
        foreach (var (_, user, password) in issued)
        {
            Assert.False(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        }
    }

    [Fact]
    public async Task Expiry_AfterARestart_StillRevokes()
    {
        var (_, user, password) = await IssueAsync();
        var token = server.RootToken;
        server.Client.Dispose();
        await server.Server.DisposeAsync();

        clock.Advance(TimeSpan.FromHours(3));
        server = await StartAsync(Path.Combine(folder, "unseal.key"));
        server.UseToken(token);
        Assert.True(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
        Assert.Equal(1, await ExpireAsync(server));
        Assert.False(await PasswordCheckedPostgres.CanLoginAsync(user, password, DatabaseName));
    }

    [Fact]
    public async Task Creds_AdminConnectionStringMalformed_Is400AndNoLeaseIsStored()
    {
        await server.PutSecretAsync("team-a", "pg-admin", new Dictionary<string, string> { ["connectionString"] = "Host=db;Port=not-a-number" });

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/team-a/database/creds/ro", "{}");

        await TestServer.AssertErrorAsync(response, 400, "InvalidConnectionString");
        Assert.Empty((await server.GetJsonAsync("/v1/namespaces/team-a/leases?all=true"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"connection":"pg","creationStatements":["CREATE ROLE x;"]}""")]
    [InlineData("""{"connection":"pg","creationStatements":["CREATE ROLE \"{{name}}\";"],"defaultTtl":"3h","maxTtl":"2h"}""")]
    [InlineData("""{"connection":"pg","creationStatements":["CREATE ROLE \"{{name}}\";"],"defaultTtl":"never"}""")]
    [InlineData("""{"connection":"Bad Name","creationStatements":["CREATE ROLE \"{{name}}\";"]}""")]
    [InlineData("""{"connection":"pg","creationStatements":"CREATE ROLE"}""")]
    [InlineData("""{"connection":"pg","creationStatements":["CREATE ROLE \"{{name}}\";"],"extra":true}""")]
    public async Task PutRole_BadInput_Is400AndRoleUnchanged(string body)
    {
        await TestServer.AssertErrorAsync(await server.PutJsonAsync("/v1/namespaces/team-a/database/roles/ro", body), 400);
        Assert.Equal("1h", (string?)(await server.GetJsonAsync("/v1/namespaces/team-a/database/roles/ro"))["defaultTtl"]);
    }

    [Theory]
    [InlineData("""{"ttl":"forever"}""", 400)]
    [InlineData("""{"ttl":5}""", 400)]
    [InlineData("""not json""", 400)]
    public async Task Issue_BadInput_IsRejectedAndNoLeaseMade(string body, int status)
    {
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, Creds, body), status);
        Assert.Empty((await server.GetJsonAsync("/v1/namespaces/team-a/leases?all=true"))["items"]!.AsArray());
    }
}
