using Coffer.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests.Sqlite;

/// <summary>Writes queued behind a commit share the next one, yet each stays atomic and fails alone.</summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-group-").FullName;
    private SqliteDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await SqliteDatabase.OpenAsync(Path.Combine(folder, "group.db"), CancellationToken.None);
        await database.WriteAsync((c, t) => Execute(c, t, "CREATE TABLE rows (id INTEGER PRIMARY KEY, note TEXT NOT NULL);"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task ConcurrentWrites_OneThrowsOneViolatesConstraint_OnlyThoseRollBack_OthersCommittedTogether()
    {
        using var holding = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = Task.Run(() => database.WriteAsync(
            (c, t) =>
            {
                started.Set();
                holding.Wait(TimeSpan.FromSeconds(30));
                return Execute(c, t, "INSERT INTO rows (id, note) VALUES (1000, 'blocker');");
            },
            CancellationToken.None));
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        var commitsBefore = database.Commits;

        var writes = Enumerable.Range(1, 20).Select(i => database.WriteAsync(
            (c, t) =>
            {
                Execute(c, t, $"INSERT INTO rows (id, note) VALUES ({i}, 'first');");
                return i switch
                {
                    // A work that fails half-way: its first insert must not survive.
                    7 => throw new InvalidOperationException("work 7 fails"),
                    // A constraint violation inside SQLite: the same id as the blocker.
                    13 => Execute(c, t, "INSERT INTO rows (id, note) VALUES (1000, 'duplicate');"),
                    _ => Execute(c, t, $"INSERT INTO rows (id, note) VALUES ({i + 100}, 'second');"),
                };
            },
            CancellationToken.None)).ToList();
        holding.Set();
        await blocker;

        var seven = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[6]);
        Assert.Equal("work 7 fails", seven.Message);
        await Assert.ThrowsAsync<SqliteException>(() => writes[12]);
        foreach (var (write, i) in writes.Select((w, i) => (w, i + 1)).Where(p => p.Item2 is not (7 or 13)))
        {
            Assert.Equal(1, await write);
        }

        var ids = database.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT id FROM rows ORDER BY id;";
            using var reader = command.ExecuteReader();
            var found = new List<long>();
            while (reader.Read())
            {
                found.Add(reader.GetInt64(0));
            }

            return found;
        });
        var expected = Enumerable.Range(1, 20).Where(i => i is not (7 or 13)).SelectMany(i => new long[] { i, i + 100 }).Append(1000).Order();
        Assert.Equal(expected, ids);
        // Twenty writes queued behind one commit need far fewer than twenty more.
        Assert.True(database.Commits - commitsBefore <= 3, $"{database.Commits - commitsBefore} commits for 20 queued writes");
    }

    [Fact]
    public async Task Write_CanceledBeforeItRuns_IsNotApplied()
    {
        using var holding = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = Task.Run(() => database.WriteAsync(
            (c, t) =>
            {
                started.Set();
                holding.Wait(TimeSpan.FromSeconds(30));
                return 0;
            },
            CancellationToken.None));
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource();
        var canceled = database.WriteAsync((c, t) => Execute(c, t, "INSERT INTO rows (id, note) VALUES (1, 'canceled');"), cancel.Token);
        await cancel.CancelAsync();
        holding.Set();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
        Assert.Equal(0L, database.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM rows;";
            return (long)command.ExecuteScalar()!;
        }));
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
