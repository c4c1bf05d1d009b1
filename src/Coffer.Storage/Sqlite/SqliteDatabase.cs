using System.Data.Common;
using Coffer.Core.Errors;
using Coffer.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode with durable (synchronous=FULL) commits. Writes go through one
/// connection, so SQLite never has to arbitrate writers; reads use pooled connections.
/// Writes that arrive while a commit is in progress are group-committed: each runs in its own
/// savepoint, so a failing one rolls back only itself, then one COMMIT (one fsync) makes them all
/// durable, and only then are their tasks completed.
/// </summary>
internal sealed class SqliteDatabase : IRelationalDatabase, IAsyncDisposable
{
    private const string WorkSavepoint = "coffer_write";

    private readonly string connectionString;
    private readonly SqliteConnection writer;
    private readonly Lock queueLock = new();
    private List<PendingWrite> queue = [];
    private bool writing;
    private bool disposed;
    private long writeGeneration;
    private long commits;

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
        WriterStatements = new SqliteStatementCache(writer);
    }

    /// <summary>Prepared statements for use inside a write's work only.</summary>
    public SqliteStatementCache WriterStatements { get; }

    /// <summary>Changes after every write transaction ends, before the writers hear of it; read caches compare it.</summary>
    public long WriteGeneration => Interlocked.Read(ref writeGeneration);

    /// <summary>Transactions committed (or attempted) so far; fewer than writes when writes were grouped.</summary>
    public long Commits => Interlocked.Read(ref commits);

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

    /// <summary>Runs <paramref name="work"/> atomically; the task completes only once its effects are durable.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var pending = new PendingWrite<T>(work, cancellationToken);
        bool lead;
        lock (queueLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            queue.Add(pending);
            lead = !writing;
            writing = true;
        }

        if (lead)
        {
            // The first writer commits its own batch on its own thread, as a lone write always did.
            CommitNextBatch();
            HandOffOrStop();
        }

        return pending.Task;
    }

    /// <summary>One writer serialises everything, so no row needs locking.</summary>
    string IRelationalDatabase.LockForUpdate => string.Empty;

    string IRelationalDatabase.LockForShare => string.Empty;

    string IRelationalDatabase.SerializeChangeLog => string.Empty;

    // Microsoft.Data.Sqlite's async methods complete synchronously, so blocking on the work here never waits on I/O of its own.
    Task<T> IRelationalDatabase.WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => work(connection, transaction, cancellationToken).GetAwaiter().GetResult(), cancellationToken);

    Task<T> IRelationalDatabase.ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => work(connection, cancellationToken).GetAwaiter().GetResult()));

    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        return work(connection);
    }

    public async ValueTask DisposeAsync()
    {
        lock (queueLock)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        // Writes already queued are still committed; new ones are refused.
        while (IsWriting())
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        WriterStatements.Dispose();
        await writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Writes that queued during a commit are taken by a pool thread, so no caller waits on others' batches.</summary>
    private void HandOffOrStop()
    {
        lock (queueLock)
        {
            if (queue.Count == 0)
            {
                writing = false;
                return;
            }

            _ = Task.Run(DrainQueue);
        }
    }

    private bool IsWriting()
    {
        lock (queueLock)
        {
            return writing;
        }
    }

    private void DrainQueue()
    {
        while (true)
        {
            CommitNextBatch();
            lock (queueLock)
            {
                if (queue.Count == 0)
                {
                    writing = false;
                    return;
                }
            }
        }
    }

    private void CommitNextBatch()
    {
        List<PendingWrite> batch;
        lock (queueLock)
        {
            batch = queue;
            queue = [];
        }

        var done = new List<PendingWrite>(batch.Count);
        Exception? failure = null;
        try
        {
            using var transaction = writer.BeginTransaction(deferred: false);

            // A lone write needs no savepoint: if it fails, the whole transaction is rolled back.
            var alone = batch.Count == 1;
            var rolledBack = false;
            foreach (var pending in batch)
            {
                if (pending.IsCanceled)
                {
                    pending.Cancel();
                    continue;
                }

                if (!alone)
                {
                    transaction.Save(WorkSavepoint);
                }

                try
                {
                    pending.Run(writer, transaction);
                }
#pragma warning disable CA1031 // A work's failure belongs to its caller; the batch goes on without it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    var translated = Translate(e);
                    if (!TryRollBack(transaction, alone))
                    {
                        // SQLite already ended the transaction (an I/O error, a full disk): the whole batch fails with this cause.
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(translated);
                    }

                    pending.Fail(translated);
                    rolledBack = alone;
                    continue;
                }

                if (!alone)
                {
                    transaction.Release(WorkSavepoint);
                }

                done.Add(pending);
            }

            if (!rolledBack)
            {
                transaction.Commit();
            }
        }
#pragma warning disable CA1031 // Whatever stopped the commit is handed to every write it held.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = Translate(e);
        }
        finally
        {
            Interlocked.Increment(ref commits);
            Interlocked.Increment(ref writeGeneration);
        }

        foreach (var pending in failure is null ? done : batch)
        {
            if (failure is null)
            {
                pending.Complete();
            }
            else
            {
                pending.Fail(failure);
            }
        }
    }

    private static bool TryRollBack(SqliteTransaction transaction, bool whole)
    {
        try
        {
            if (whole)
            {
                transaction.Rollback();
                return true;
            }

            transaction.Rollback(WorkSavepoint);
            transaction.Release(WorkSavepoint);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private static Exception Translate(Exception e) =>
        e is SqliteException { SqliteErrorCode: 13 /* SQLITE_FULL */ }
            ? new CofferException(ErrorKind.Unavailable, "StorageFull", "the storage volume is full")
            : e;

    /// <summary>A queued write: its work, and the task its caller awaits.</summary>
    private abstract class PendingWrite
    {
        public abstract bool IsCanceled { get; }

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract void Cancel();
    }

    /// <summary>Continuations run asynchronously so the committing thread never runs a caller's code.</summary>
    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;

        public Task<T> Task => completion.Task;

        public override bool IsCanceled => cancellationToken.IsCancellationRequested;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => result = work(connection, transaction);

        public override void Complete() => completion.TrySetResult(result!);

        public override void Fail(Exception exception) => completion.TrySetException(exception);

        public override void Cancel() => completion.TrySetCanceled(cancellationToken);
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
