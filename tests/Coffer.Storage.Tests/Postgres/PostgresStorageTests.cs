using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Storage.Postgres;
using Npgsql;

namespace Coffer.Storage.Tests.Postgres;

/// <summary>The conformance suite on a real PostgreSQL, plus what only a shared database has: replicas racing.</summary>
public sealed class PostgresStorageTests : StorageConformanceTests
{
    private readonly List<StorageBackend> replicas = [];
    private string connectionString = null!;

    protected override async Task<StorageBackend> OpenAsync()
    {
        connectionString = await PostgresServer.CreateDatabaseAsync();
        return await PostgresStorage.OpenAsync(connectionString, CancellationToken.None);
    }

    protected override async Task CloseAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }

        await PostgresServer.DropDatabaseAsync(connectionString);
    }

    private async Task<StorageBackend> ReplicaAsync()
    {
        var replica = await PostgresStorage.OpenAsync(connectionString, CancellationToken.None);
        replicas.Add(replica);
        return replica;
    }

    [Fact]
    public async Task OpenAsync_ManyReplicasAtOnce_MigrateOnce()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresStorage.OpenAsync(connectionString, CancellationToken.None)));
        replicas.AddRange(opened);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations;", connection);
        Assert.Equal((long)PostgresMigrations.LatestVersion, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WriteVersion_TwoReplicasCreateSameSecret_BothLandAsConsecutiveVersions()
    {
        var other = await ReplicaAsync();
        var address = new SecretAddress("default", "raced");
        var writes = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? Storage : other).Secrets.WriteVersionAsync(Write(address), Payload, CancellationToken.None));
        var results = await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(1, 8).Select(v => (long)v), results.Select(r => r.CurrentVersion).Order());
    }

    [Fact]
    public async Task WriteVersion_CheckAndSetAcrossReplicas_ExactlyOneWins()
    {
        var other = await ReplicaAsync();
        var address = new SecretAddress("default", "cas");
        await PutAsync(address);
        var attempts = Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? Storage : other).Secrets.WriteVersionAsync(Write(address, expected: 1), Payload, CancellationToken.None);
                return true;
            }
            catch (CofferException e) when (e.Kind == ErrorKind.Conflict)
            {
                return false;
            }
        });
        var outcomes = await Task.WhenAll(attempts);
        Assert.Single(outcomes, won => won);
        Assert.Equal(2, (await other.Secrets.GetMetadataAsync(address, CancellationToken.None))!.CurrentVersion);
    }

    [Fact]
    public async Task OpenAsync_NewerSchema_Refused()
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0);", connection);
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresStorage.OpenAsync(connectionString, CancellationToken.None));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_Unreachable_UnavailableWithoutHanging()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = 1, Timeout = 5 }.ConnectionString;
        var error = await Assert.ThrowsAsync<CofferException>(() => PostgresStorage.OpenAsync(unreachable, CancellationToken.None));
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Equal("StorageUnavailable", error.Reason);
    }

    [Fact]
    public async Task OpenAsync_MalformedConnectionString_InvalidWithoutEchoingIt()
    {
        var error = await Assert.ThrowsAsync<CofferException>(() => PostgresStorage.OpenAsync("Host=x;Password=hunter2;Bogus Key=1", CancellationToken.None));
        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
