using Coffer.Core.Secrets;
using Coffer.Core.Tokens;
using Coffer.Storage.Postgres;
using Coffer.Storage.Snapshots;
using Coffer.Storage.Sqlite;
using Coffer.Storage.Tests.Postgres;

namespace Coffer.Storage.Tests.Snapshots;

/// <summary>Snapshots and store-to-store moves on real SQLite files and a real PostgreSQL: every table, byte for byte, or nothing.</summary>
public sealed class StorageSnapshotTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-snapshot-").FullName;
    private readonly List<string> databases = [];

    private StorageLocation Source => StorageLocation.Parse($"sqlite:{Path.Combine(folder, "source.db")}");

    public async Task InitializeAsync()
    {
        await using var store = await SqliteStorage.OpenAsync(Source.Target, CancellationToken.None);
        await store.Installation.InitializeAsync(new InstallationRecord(3, 2, At), new StoredKeyRing(1, [7, 7, 7], At), new TokenRecord([1, 2, 3], "acc-root", "root", true, At, null, null), CancellationToken.None);
        await store.Namespaces.CreateAsync("team-a", At, CancellationToken.None);
        foreach (var (ns, name, versions) in new[] { ("default", "db", 3), ("team-a", "api", 2), ("team-a", "tls", 1) })
        {
            for (var v = 1; v <= versions; v++)
            {
                var write = new SecretWrite(new SecretAddress(ns, name), SecretTypes.Opaque, new Dictionary<string, string> { ["owner"] = "shop" }, null, false, null, null, "tester", At);
                await store.Secrets.WriteVersionAsync(write, version => new SealedPayload(1, [9, (byte)version, 1], [.. "ciphertext"u8, (byte)version, 0, 255]), CancellationToken.None);
            }
        }

        await store.Tokens.AddAsync(new TokenRecord([4, 5, 6], "acc-ci", "ci", false, At, At.AddHours(1), "acc-root"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var database in databases)
        {
            await PostgresServer.DropDatabaseAsync(database);
        }

        Directory.Delete(folder, recursive: true);
    }

    private async Task<byte[]> SaveAsync()
    {
        using var file = new MemoryStream();
        await StorageSnapshot.ExportAsync(Source, file, CancellationToken.None);
        return file.ToArray();
    }

    private StorageLocation NewSqlite(string name) => StorageLocation.Parse($"sqlite:{Path.Combine(folder, name)}");

    private async Task<StorageLocation> NewPostgresAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        databases.Add(database);
        return StorageLocation.Parse($"postgres:{database}");
    }

    [Fact]
    public async Task SaveThenRestore_IntoANewStore_EveryTableIdentical()
    {
        var snapshot = await SaveAsync();
        var target = NewSqlite("restored.db");

        var restored = await StorageSnapshot.ImportAsync(target, new MemoryStream(snapshot), CancellationToken.None);
        var reread = await StorageSnapshot.ExportAsync(target, Stream.Null, CancellationToken.None);

        Assert.Null((await StorageSnapshot.ExportAsync(Source, Stream.Null, CancellationToken.None)).FirstDifference(reread));
        Assert.Null(restored.FirstDifference(reread));
        Assert.Equal(6, reread.Rows("secret_versions"));
        Assert.Equal(2, reread.Rows("tokens"));
        await using var store = await SqliteStorage.OpenAsync(target.Target, CancellationToken.None);
        var version = await store.Secrets.GetVersionAsync(new SecretAddress("default", "db"), 2, CancellationToken.None);
        Assert.Equal([.. "ciphertext"u8, 2, 0, 255], version!.Payload!.Ciphertext);
        Assert.Equal([9, 2, 1], version.Payload.WrappedKey);
        Assert.Equal([7, 7, 7], (await store.Installation.GetKeyRingAsync(CancellationToken.None)).Blob);
    }

    [Fact]
    public async Task Migrate_SqliteToPostgresAndBack_VerifiedAndIdentical()
    {
        var postgres = await NewPostgresAsync();
        var back = NewSqlite("back.db");

        var there = await StorageSnapshot.MigrateAsync(Source, postgres, CancellationToken.None);
        var again = await StorageSnapshot.MigrateAsync(postgres, back, CancellationToken.None);

        Assert.Null(there.FirstDifference(again));
        Assert.Equal(3, there.Rows("secrets"));
        await using var store = await PostgresStorage.OpenAsync(postgres.Target, CancellationToken.None);
        var version = await store.Secrets.GetVersionAsync(new SecretAddress("team-a", "api"), 1, CancellationToken.None);
        Assert.Equal([.. "ciphertext"u8, 1, 0, 255], version!.Payload!.Ciphertext);
        Assert.True((await store.Tokens.ListAsync(CancellationToken.None)).Single(t => t.Accessor == "acc-root").IsRoot);
        // The identity of the change log continues after the copied revisions.
        await store.Secrets.WriteVersionAsync(new SecretWrite(new SecretAddress("team-a", "new"), SecretTypes.Opaque, null, null, false, null, null, "tester", At), v => new SealedPayload(1, [1], [1]), CancellationToken.None);
        Assert.Equal(there.Rows("secret_changes") + 1, await store.Changes.LatestRevisionAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("checksum")]
    [InlineData("drop-row")]
    public async Task Restore_CorruptedOrTruncated_RefusedAndTheTargetStaysEmpty(string damage)
    {
        var snapshot = await SaveAsync();
        var text = System.Text.Encoding.UTF8.GetString(snapshot);
        var damaged = damage switch
        {
            "flip" => text.Replace("\"tester\"", "\"tested\"", StringComparison.Ordinal),
            "truncate" => text[..(text.Length / 2)],
            "checksum" => text[..text.LastIndexOf("\"checksum\"", StringComparison.Ordinal)] + "\"checksum\":\"" + new string('0', 64) + "\"}\n",
            _ => string.Join('\n', text.Split('\n').Where((line, i) => !(line.StartsWith("[", StringComparison.Ordinal) && line.Contains("\"tester\"", StringComparison.Ordinal) && i % 2 == 0))),
        };
        var target = NewSqlite("damaged.db");

        var error = await Assert.ThrowsAsync<SnapshotException>(() => StorageSnapshot.ImportAsync(target, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(damaged)), CancellationToken.None));

        Assert.Matches("corrupted|truncated", error.Message);
        var empty = await Assert.ThrowsAsync<SnapshotException>(() => StorageSnapshot.ExportAsync(target, Stream.Null, CancellationToken.None));
        Assert.Contains("no initialised Coffer installation", empty.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PK\u0003\u0004 a zip file")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Secret\"}\n")]
    [InlineData("{\"format\":\"coffer-snapshot\",\"version\":99}\n")]
    public async Task Restore_ForeignFile_RefusedWithAClearMessage(string content)
    {
        var target = NewSqlite("foreign.db");

        var error = await Assert.ThrowsAsync<SnapshotException>(() => StorageSnapshot.ImportAsync(target, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), CancellationToken.None));

        Assert.Matches("not a Coffer snapshot|format version|corrupted|truncated", error.Message);
    }

    [Fact]
    public async Task Restore_IntoAStoreThatHoldsAnInstallation_Refused()
    {
        var snapshot = await SaveAsync();

        var error = await Assert.ThrowsAsync<SnapshotException>(() => StorageSnapshot.ImportAsync(Source, new MemoryStream(snapshot), CancellationToken.None));

        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.Null((await StorageSnapshot.ExportAsync(Source, Stream.Null, CancellationToken.None)).FirstDifference(await StorageSnapshot.ExportAsync(Source, Stream.Null, CancellationToken.None)));
        Assert.Equal(6, (await StorageSnapshot.ExportAsync(Source, Stream.Null, CancellationToken.None)).Rows("secret_versions"));
    }

    [Theory]
    [InlineData("mysql://x")]
    [InlineData("sqlite:")]
    [InlineData("/var/lib/coffer/coffer.db")]
    public void Parse_NotALocation_ClearError(string text) =>
        Assert.Contains("sqlite:PATH", Assert.Throws<SnapshotException>(() => StorageLocation.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Save_NoDatabaseThere_ClearError()
    {
        var error = await Assert.ThrowsAsync<SnapshotException>(() => StorageSnapshot.ExportAsync(NewSqlite("absent.db"), Stream.Null, CancellationToken.None));

        Assert.Contains("no Coffer database", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "absent.db")));
    }
}
