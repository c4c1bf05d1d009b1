using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Coffer.Benchmarks;

/// <summary>
/// The durable-write floor: one row per autocommit INSERT into a WAL, synchronous=FULL SQLite file,
/// on one connection behind a lock (as the server's writer is), so every row pays its own commit.
/// </summary>
internal sealed class RawSqliteInserts : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SqliteConnection connection;
    private readonly string folder;
    private SqliteCommand? insert;

    private RawSqliteInserts(SqliteConnection connection, string folder)
    {
        this.connection = connection;
        this.folder = folder;
    }

    public static async Task<RawSqliteInserts> OpenAsync(int payloadBytes, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-bench-raw-").FullName;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "raw.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        var raw = new RawSqliteInserts(connection, folder);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            Require(Scalar(connection, "PRAGMA journal_mode=WAL;"), "wal", "journal_mode");
            Scalar(connection, "PRAGMA synchronous=FULL;");
            Require(Scalar(connection, "PRAGMA synchronous;"), "2", "synchronous");
            Scalar(connection, "CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);");
            raw.insert = connection.CreateCommand();
            raw.insert.CommandText = "INSERT INTO rows (payload) VALUES ($payload);";
            raw.insert.Parameters.AddWithValue("$payload", RandomNumberGenerator.GetBytes(payloadBytes));
            raw.insert.Prepare();
            return raw;
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task InsertAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            insert!.ExecuteNonQuery();
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (insert is not null)
        {
            await insert.DisposeAsync().ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        gate.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }

    private static void Require(string actual, string expected, string pragma)
    {
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"PRAGMA {pragma} is '{actual}', expected '{expected}'");
        }
    }
}
