using Coffer.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode with durable (synchronous=FULL) commits. Writes go through one
/// connection behind a gate, so SQLite never has to arbitrate writers; reads use pooled connections.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private readonly SqliteConnection writer;
    private int disposed;
    private long writeGeneration;

    private SqliteDatabase(string path)
    {
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        writer = new SqliteConnection(connectionString);
    }

    public static async Task<SqliteDatabase> OpenAsync(string path, CancellationToken cancellationToken)
    {
        CreatePrivateFile(path);
        var database = new SqliteDatabase(path);
        try
        {
            await database.writer.OpenAsync(cancellationToken).ConfigureAwait(false);
            Execute(database.writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
            SqliteMigrations.Apply(database.writer);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Changes after every write transaction ends, before the writer hears of it; read caches compare it.</summary>
    public long WriteGeneration => Interlocked.Read(ref writeGeneration);

    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = writer.BeginTransaction(deferred: false);
            var result = work(writer, transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 13 /* SQLITE_FULL */)
        {
            throw new CofferException(ErrorKind.Unavailable, "StorageFull", "the storage volume is full");
        }
        finally
        {
            Interlocked.Increment(ref writeGeneration);
            writeGate.Release();
        }
    }

    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        return work(connection);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await writeGate.WaitAsync().ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        writeGate.Dispose();
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The file holds wrapped keys and ciphertext: only its owner may read it.</summary>
    private static void CreatePrivateFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
    }
}
