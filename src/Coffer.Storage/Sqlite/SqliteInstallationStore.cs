using Coffer.Core.Errors;
using Coffer.Core.Tokens;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteInstallationStore(SqliteDatabase database) : IInstallationStore
{
    public Task<InstallationRecord?> GetAsync(CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT shares, threshold, created_at FROM installation WHERE id = 1;";
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new InstallationRecord(reader.GetInt32(0), reader.GetInt32(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
                : null;
        }));

    public Task InitializeAsync(InstallationRecord installation, StoredKeyRing keyRing, TokenRecord rootToken, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                using (var exists = connection.CreateCommand())
                {
                    exists.Transaction = transaction;
                    exists.CommandText = "SELECT 1 FROM installation WHERE id = 1;";
                    if (exists.ExecuteScalar() is not null)
                    {
                        throw CofferException.Conflict("AlreadyInitialized", "Coffer is already initialised");
                    }
                }

                using (var insert = connection.CreateCommand())
                {
                    insert.Transaction = transaction;
                    insert.CommandText = "INSERT INTO installation (id, shares, threshold, created_at) VALUES (1, $s, $t, $at);";
                    insert.Parameters.AddWithValue("$s", installation.Shares);
                    insert.Parameters.AddWithValue("$t", installation.Threshold);
                    insert.Parameters.AddWithValue("$at", installation.CreatedAt.ToUnixTimeMilliseconds());
                    insert.ExecuteNonQuery();
                }

                InsertKeyRing(connection, transaction, keyRing);
                Relational.RelationalTokenStore.InsertAsync(connection, transaction, rootToken, cancellationToken).GetAwaiter().GetResult();
                return true;
            },
            cancellationToken);

    public Task<StoredKeyRing> GetKeyRingAsync(CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT generation, blob, created_at FROM key_ring ORDER BY generation DESC LIMIT 1;";
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StoredKeyRing(reader.GetInt64(0), (byte[])reader[1], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
                : throw new CofferException(ErrorKind.Unavailable, "NotInitialized", "Coffer is not initialised");
        }));

    public Task AppendKeyRingAsync(StoredKeyRing keyRing, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                using (var latest = connection.CreateCommand())
                {
                    latest.Transaction = transaction;
                    latest.CommandText = "SELECT COALESCE(MAX(generation), 0) FROM key_ring;";
                    var current = (long)latest.ExecuteScalar()!;
                    if (keyRing.Generation != current + 1)
                    {
                        throw CofferException.Conflict("KeyRingConflict", $"key ring generation {keyRing.Generation} does not follow {current}");
                    }
                }

                InsertKeyRing(connection, transaction, keyRing);
                return true;
            },
            cancellationToken);

    private static void InsertKeyRing(SqliteConnection connection, SqliteTransaction transaction, StoredKeyRing keyRing)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO key_ring (generation, blob, created_at) VALUES ($g, $b, $at);";
        insert.Parameters.AddWithValue("$g", keyRing.Generation);
        insert.Parameters.AddWithValue("$b", keyRing.Blob);
        insert.Parameters.AddWithValue("$at", keyRing.CreatedAt.ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
    }
}
