using Coffer.Core.Errors;
using Coffer.Core.Tokens;
using Npgsql;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresInstallationStore(PostgresDatabase database) : IInstallationStore
{
    public Task<InstallationRecord?> GetAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<InstallationRecord?>(
            async (connection, ct) =>
            {
                await using var command = PostgresDatabase.Command(connection, null, "SELECT shares, threshold, created_at FROM installation WHERE id = 1;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new InstallationRecord(reader.GetInt32(0), reader.GetInt32(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
                    : null;
            },
            cancellationToken);

    public Task InitializeAsync(InstallationRecord installation, StoredKeyRing keyRing, TokenRecord rootToken, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using (var exists = PostgresDatabase.Command(connection, transaction, "SELECT 1 FROM installation WHERE id = 1 FOR UPDATE;"))
                {
                    if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
                    {
                        throw CofferException.Conflict("AlreadyInitialized", "Coffer is already initialised");
                    }
                }

                await using (var insert = PostgresDatabase.Command(connection, transaction, "INSERT INTO installation (id, shares, threshold, created_at) VALUES (1, @s, @t, @at);"))
                {
                    insert.Parameters.AddWithValue("s", installation.Shares);
                    insert.Parameters.AddWithValue("t", installation.Threshold);
                    insert.Parameters.AddWithValue("at", installation.CreatedAt.ToUnixTimeMilliseconds());
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await InsertKeyRingAsync(connection, transaction, keyRing, ct).ConfigureAwait(false);
                await Relational.RelationalTokenStore.InsertAsync(connection, transaction, rootToken, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<StoredKeyRing> GetKeyRingAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = PostgresDatabase.Command(connection, null, "SELECT generation, blob, created_at FROM key_ring ORDER BY generation DESC LIMIT 1;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new StoredKeyRing(reader.GetInt64(0), (byte[])reader[1], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
                    : throw new CofferException(ErrorKind.Unavailable, "NotInitialized", "Coffer is not initialised");
            },
            cancellationToken);

    public Task AppendKeyRingAsync(StoredKeyRing keyRing, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using (var latest = PostgresDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(generation), 0) FROM key_ring;"))
                {
                    var current = (long)(await latest.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                    if (keyRing.Generation != current + 1)
                    {
                        throw CofferException.Conflict("KeyRingConflict", $"key ring generation {keyRing.Generation} does not follow {current}");
                    }
                }

                await InsertKeyRingAsync(connection, transaction, keyRing, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    private static async Task InsertKeyRingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredKeyRing keyRing, CancellationToken cancellationToken)
    {
        await using var insert = PostgresDatabase.Command(connection, transaction, "INSERT INTO key_ring (generation, blob, created_at) VALUES (@g, @b, @at);");
        insert.Parameters.AddWithValue("g", keyRing.Generation);
        insert.Parameters.AddWithValue("b", keyRing.Blob);
        insert.Parameters.AddWithValue("at", keyRing.CreatedAt.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
