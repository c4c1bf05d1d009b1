using System.Data;
using System.Data.Common;
using Coffer.Storage.Relational;
using Coffer.Core.Errors;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>
/// A PostgreSQL database shared by any number of replicas. Each write is one read-committed transaction
/// that locks the rows it checks, retried when a concurrent replica wins a race on a unique key.
/// </summary>
internal sealed class PostgresDatabase : IRelationalDatabase, IAsyncDisposable
{
    private const int MaxAttempts = 5;
    private readonly NpgsqlDataSource dataSource;
    private int disposed;

    private PostgresDatabase(NpgsqlDataSource dataSource) => this.dataSource = dataSource;

    public static async Task<PostgresDatabase> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // The connection string may hold a password: never echo it.
            throw CofferException.Invalid("InvalidStorage", "the PostgreSQL connection string is malformed", "storage");
        }

        builder.ApplicationName ??= "coffer";
        var database = new PostgresDatabase(NpgsqlDataSource.Create(builder));
        try
        {
            await database.WriteAsync(PostgresMigrations.ApplyAsync, cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException e) when (attempt < MaxAttempts && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
            {
                // Another replica created the same row first; the retry sees it and applies the usual rules.
            }
            catch (NpgsqlException e) when (e is not PostgresException || e.IsTransient)
            {
                throw Unavailable();
            }
        }
    }

    string IRelationalDatabase.LockForUpdate => " FOR UPDATE";

    string IRelationalDatabase.LockForShare => " FOR KEY SHARE";

    string IRelationalDatabase.SerializeChangeLog => $"SELECT pg_advisory_xact_lock({PostgresSecretStore.ChangeLogLockKey});";

    Task<T> IRelationalDatabase.WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction, ct) => work(connection, transaction, ct), cancellationToken);

    Task<T> IRelationalDatabase.ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        ReadAsync((connection, ct) => work(connection, ct), cancellationToken);

    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException || e.IsTransient)
        {
            throw Unavailable();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    private static CofferException Unavailable() =>
        new(ErrorKind.Unavailable, "StorageUnavailable", "the PostgreSQL database cannot be reached; retry shortly");
}
