using Coffer.Core.Secrets;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresRewrapStore(PostgresDatabase database) : IRewrapStore
{
    public Task<IReadOnlyDictionary<int, long>> CountByKeyAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<int, long>>(
            async (connection, ct) =>
            {
                await using var command = PostgresDatabase.Command(connection, null, "SELECT key_id, COUNT(*) FROM secret_versions WHERE key_id IS NOT NULL GROUP BY key_id;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var counts = new Dictionary<int, long>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    counts[reader.GetInt32(0)] = reader.GetInt64(1);
                }

                return counts;
            },
            cancellationToken);

    public Task<IReadOnlyList<WrappedKeyRow>> FindNotWrappedWithAsync(int keyId, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<WrappedKeyRow>>(
            async (connection, ct) =>
            {
                await using var command = PostgresDatabase.Command(
                    connection,
                    null,
                    "SELECT namespace, name, version, key_id, wrapped_key FROM secret_versions WHERE key_id IS NOT NULL AND key_id <> @k LIMIT @limit;");
                command.Parameters.AddWithValue("k", keyId);
                command.Parameters.AddWithValue("limit", limit);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var rows = new List<WrappedKeyRow>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    rows.Add(new WrappedKeyRow(new SecretAddress(reader.GetString(0), reader.GetString(1)), reader.GetInt64(2), reader.GetInt32(3), (byte[])reader[4]));
                }

                return rows;
            },
            cancellationToken);

    public Task<int> ReplaceWrappedKeysAsync(IReadOnlyList<WrappedKeyReplacement> replacements, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var changed = 0;
                foreach (var replacement in replacements)
                {
                    await using var command = PostgresDatabase.Command(
                        connection,
                        transaction,
                        "UPDATE secret_versions SET key_id = @new, wrapped_key = @nw WHERE namespace = @ns AND name = @name AND version = @v AND key_id = @old AND wrapped_key = @ow;");
                    command.Parameters.AddWithValue("ns", replacement.Old.Address.Namespace);
                    command.Parameters.AddWithValue("name", replacement.Old.Address.Name);
                    command.Parameters.AddWithValue("v", replacement.Old.Version);
                    command.Parameters.AddWithValue("old", replacement.Old.KeyId);
                    command.Parameters.AddWithValue("ow", replacement.Old.WrappedKey);
                    command.Parameters.AddWithValue("new", replacement.NewKeyId);
                    command.Parameters.AddWithValue("nw", replacement.NewWrappedKey);
                    changed += await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                return changed;
            },
            cancellationToken);
}
