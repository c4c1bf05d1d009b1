using Coffer.Core.Secrets;
using Coffer.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests.Sqlite;

/// <summary>The conformance suite on a real SQLite file, plus what only SQLite has: the file, its mode, migrations.</summary>
public sealed class SqliteStorageTests : StorageConformanceTests, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-sqlite-").FullName;

    private string DatabasePath => Path.Combine(folder, "data", SqliteStorage.FileName);

    protected override Task<StorageBackend> OpenAsync() => SqliteStorage.OpenAsync(DatabasePath, CancellationToken.None);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task OpenAsync_CreatesOwnerOnlyFileAndFolder()
    {
        await Task.Yield();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(DatabasePath)!));
    }

    [Fact]
    public async Task OpenAsync_Reopen_KeepsDataAndSchemaVersion()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await Storage.DisposeAsync();

        var reopened = await SqliteStorage.OpenAsync(DatabasePath, CancellationToken.None);
        Assert.Equal(1, (await reopened.Secrets.GetMetadataAsync(address, CancellationToken.None))!.CurrentVersion);
        Assert.Equal(1, (await reopened.Changes.ReadAsync("default", 0, 10, CancellationToken.None)).Single().Version);
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        Assert.Equal(SqliteMigrations.LatestVersion, SqliteMigrations.CurrentVersion(connection));
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", mode.ExecuteScalar());
        Storage = reopened;
    }

    [Fact]
    public async Task OpenAsync_NewerSchema_Refused()
    {
        await Storage.DisposeAsync();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0);";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteStorage.OpenAsync(DatabasePath, CancellationToken.None));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        Storage = await SqliteStorage.OpenAsync(Path.Combine(folder, "other.db"), CancellationToken.None);
    }
}
