using Coffer.Core.Secrets;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteRewrapStore(SqliteDatabase database) : IRewrapStore
{
    public Task<IReadOnlyDictionary<int, long>> CountByKeyAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT key_id, COUNT(*) FROM secret_versions WHERE key_id IS NOT NULL GROUP BY key_id;";
            using var reader = command.ExecuteReader();
            var counts = new Dictionary<int, long>();
            while (reader.Read())
            {
                counts[reader.GetInt32(0)] = reader.GetInt64(1);
            }

            return counts;
        }));

    public Task<IReadOnlyList<WrappedKeyRow>> FindNotWrappedWithAsync(int keyId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WrappedKeyRow>>(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT namespace, name, version, key_id, wrapped_key FROM secret_versions WHERE key_id IS NOT NULL AND key_id <> $k LIMIT $limit;";
            command.Parameters.AddWithValue("$k", keyId);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<WrappedKeyRow>();
            while (reader.Read())
            {
                rows.Add(new WrappedKeyRow(new SecretAddress(reader.GetString(0), reader.GetString(1)), reader.GetInt64(2), reader.GetInt32(3), (byte[])reader[4]));
            }

            return rows;
        }));

    public Task<int> ReplaceWrappedKeysAsync(IReadOnlyList<WrappedKeyReplacement> replacements, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText =
                    "UPDATE secret_versions SET key_id = $new, wrapped_key = $nw WHERE namespace = $ns AND name = $name AND version = $v AND key_id = $old AND wrapped_key = $ow;";
                var ns = command.Parameters.Add("$ns", Microsoft.Data.Sqlite.SqliteType.Text);
                var name = command.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
                var version = command.Parameters.Add("$v", Microsoft.Data.Sqlite.SqliteType.Integer);
                var old = command.Parameters.Add("$old", Microsoft.Data.Sqlite.SqliteType.Integer);
                var oldWrapped = command.Parameters.Add("$ow", Microsoft.Data.Sqlite.SqliteType.Blob);
                var newKey = command.Parameters.Add("$new", Microsoft.Data.Sqlite.SqliteType.Integer);
                var newWrapped = command.Parameters.Add("$nw", Microsoft.Data.Sqlite.SqliteType.Blob);
                var changed = 0;
                foreach (var replacement in replacements)
                {
                    ns.Value = replacement.Old.Address.Namespace;
                    name.Value = replacement.Old.Address.Name;
                    version.Value = replacement.Old.Version;
                    old.Value = replacement.Old.KeyId;
                    oldWrapped.Value = replacement.Old.WrappedKey;
                    newKey.Value = replacement.NewKeyId;
                    newWrapped.Value = replacement.NewWrappedKey;
                    changed += command.ExecuteNonQuery();
                }

                return changed;
            },
            cancellationToken);
}
