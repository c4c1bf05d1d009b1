using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteSecretStore(SqliteDatabase database) : ISecretStore
{
    private readonly CurrentVersionCache currentVersions = new();

    private const string MetadataQuery = $"SELECT {SecretRows.MetadataColumns} FROM secrets WHERE namespace = $ns AND name = $name;";

    private const string NamespaceExistsQuery = "SELECT 1 FROM namespaces WHERE name = $ns;";

    private const string InsertMetadataSql =
        $"INSERT INTO secrets ({SecretRows.MetadataColumns}) VALUES ($ns, $name, $type, $labels, $annotations, $current, $max, $immutable, $created, $updated, $deleted);";

    private const string UpdateMetadataSql =
        "UPDATE secrets SET type = $type, labels = $labels, annotations = $annotations, current_version = $current, max_versions = $max, immutable = $immutable, created_at = $created, updated_at = $updated, deleted_at = $deleted WHERE namespace = $ns AND name = $name;";

    private const string InsertVersionSql =
        "INSERT INTO secret_versions (namespace, name, version, created_at, created_by, key_id, wrapped_key, ciphertext) VALUES ($ns, $name, $v, $at, $by, $kid, $wk, $ct);";

    private const string PruneVersionsSql = "DELETE FROM secret_versions WHERE namespace = $ns AND name = $name AND version < $oldest;";

    private const string VersionWithMetadataQuery =
        "SELECT s.namespace, s.name, s.type, s.labels, s.annotations, s.current_version, s.max_versions, s.immutable, s.created_at, s.updated_at, s.deleted_at, "
        + "v.version, v.created_at, v.created_by, v.deleted_at, v.destroyed_at, v.key_id, v.wrapped_key, v.ciphertext "
        + "FROM secrets s LEFT JOIN secret_versions v ON v.namespace = s.namespace AND v.name = s.name AND v.version = COALESCE($v, s.current_version) "
        + "WHERE s.namespace = $ns AND s.name = $name;";

    public Task<SecretMetadata?> GetMetadataAsync(SecretAddress address, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
        {
            using var command = Command(connection, null, MetadataQuery, address);
            return LoadMetadata(command);
        }));

    /// <summary>The current version comes from the cache while no write has happened since it was read.</summary>
    public Task<StoredVersion?> GetVersionAsync(SecretAddress address, long? version, CancellationToken cancellationToken)
    {
        if (version is not null)
        {
            return Task.FromResult(LoadVersion(address, version));
        }

        // Taken before the read, so a write that commits during it leaves the entry already stale.
        var generation = database.WriteGeneration;
        if (currentVersions.Find(address, generation) is { } cached)
        {
            return Task.FromResult<StoredVersion?>(cached);
        }

        var stored = LoadVersion(address, null);
        if (stored is not null)
        {
            currentVersions.Remember(address, generation, stored);
        }

        return Task.FromResult(stored);
    }

    public Task<SecretMetadata> WriteVersionAsync(SecretWrite write, Func<long, SealedPayload> seal, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                var existing = LoadMetadata(Statement(transaction, MetadataQuery, write.Address));
                if (existing is null && Statement(transaction, NamespaceExistsQuery, write.Address).ExecuteScalar() is null)
                {
                    throw Relational.RelationalNamespaceStore.NotFound(write.Address.Namespace);
                }

                var updated = SecretRules.ApplyWrite(existing, write);
                var payload = seal(updated.CurrentVersion);
                SaveMetadata(transaction, updated, insert: existing is null);

                var insert = Statement(transaction, InsertVersionSql, write.Address);
                insert.Parameters.AddWithValue("$v", updated.CurrentVersion);
                insert.Parameters.AddWithValue("$at", write.At.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$by", write.Actor);
                insert.Parameters.AddWithValue("$kid", payload.KeyId);
                insert.Parameters.AddWithValue("$wk", payload.WrappedKey);
                insert.Parameters.AddWithValue("$ct", payload.Ciphertext);
                insert.ExecuteNonQuery();

                var prune = Statement(transaction, PruneVersionsSql, write.Address);
                prune.Parameters.AddWithValue("$oldest", SecretRules.OldestKeptVersion(updated));
                prune.ExecuteNonQuery();
                RecordChange(transaction, updated, SecretChangeLogSql.Written, write.At);
                RecordAudit(transaction, write.Audit);
                return updated;
            },
            cancellationToken);

    public Task<SecretMetadata> ChangeAsync(SecretChange change, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                var existing = LoadMetadata(Statement(transaction, MetadataQuery, change.Address))
                    ?? throw CofferException.NotFound("SecretNotFound", $"secret {change.Address} not found");
                var plan = SecretChangePlan.For(existing, LoadHistory(connection, transaction, change.Address), change);
                if (plan.VersionsSql is not null)
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = plan.VersionsSql;
                    command.Parameters.AddWithValue("@ns", change.Address.Namespace);
                    command.Parameters.AddWithValue("@name", change.Address.Name);
                    command.Parameters.AddWithValue("@at", change.At.ToUnixTimeMilliseconds());
                    command.ExecuteNonQuery();
                }

                var updated = plan.Updated;
                SaveMetadata(transaction, updated, insert: false);
                RecordChange(transaction, updated, SecretChangeLogSql.KindOf(change.Kind), change.At);
                RecordAudit(transaction, change.Audit);
                return updated;
            },
            cancellationToken);

    public Task<IReadOnlyList<SecretVersionInfo>> GetHistoryAsync(SecretAddress address, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SecretVersionInfo>>(database.Read(connection => LoadHistory(connection, null, address)));

    public Task<SecretPage> ListAsync(string @namespace, SecretListQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
        {
            var items = new List<SecretMetadata>();
            var after = query.After ?? string.Empty;
            const int chunk = 500;
            while (true)
            {
                using var command = connection.CreateCommand();
                command.CommandText =
                    $"SELECT {SecretRows.MetadataColumns} FROM secrets WHERE namespace = $ns AND name > $after {(query.IncludeDeleted ? string.Empty : "AND deleted_at IS NULL")} ORDER BY name LIMIT $limit;";
                command.Parameters.AddWithValue("$ns", @namespace);
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", chunk);
                var read = 0;
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        read++;
                        var metadata = SecretRows.ReadMetadata(reader);
                        after = metadata.Address.Name;
                        if (query.Filter is null || query.Filter(metadata))
                        {
                            items.Add(metadata);
                            if (items.Count == query.Limit)
                            {
                                return new SecretPage(items, HasMore(connection, @namespace, after, query.IncludeDeleted) ? after : null);
                            }
                        }
                    }
                }

                if (read < chunk)
                {
                    return new SecretPage(items, null);
                }
            }
        }));

    /// <summary>One statement for the metadata and the version: a single lookup in each table.</summary>
    private StoredVersion? LoadVersion(SecretAddress address, long? version) =>
        database.Read(connection =>
        {
            using var command = Command(connection, null, VersionWithMetadataQuery, address);
            command.Parameters.AddWithValue("$v", (object?)version ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var metadata = SecretRows.ReadMetadata(reader);
            if (reader.IsDBNull(SecretRows.MetadataColumnCount))
            {
                return new StoredVersion(metadata, null, null);
            }

            var info = SecretRows.ReadVersion(reader, SecretRows.MetadataColumnCount);
            var payload = SecretRows.ReadPayload(reader, SecretRows.MetadataColumnCount);
            return new StoredVersion(metadata, info, payload);
        });

    private static bool HasMore(SqliteConnection connection, string @namespace, string after, bool includeDeleted)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM secrets WHERE namespace = $ns AND name > $after {(includeDeleted ? string.Empty : "AND deleted_at IS NULL")} LIMIT 1;";
        command.Parameters.AddWithValue("$ns", @namespace);
        command.Parameters.AddWithValue("$after", after);
        return command.ExecuteScalar() is not null;
    }

    private static List<SecretVersionInfo> LoadHistory(SqliteConnection connection, SqliteTransaction? transaction, SecretAddress address)
    {
        using var command = Command(connection, transaction, $"SELECT {SecretRows.VersionColumns} FROM secret_versions WHERE namespace = $ns AND name = $name ORDER BY version;", address);
        using var reader = command.ExecuteReader();
        var history = new List<SecretVersionInfo>();
        while (reader.Read())
        {
            history.Add(SecretRows.ReadVersion(reader));
        }

        return history;
    }

    private static SecretMetadata? LoadMetadata(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? SecretRows.ReadMetadata(reader) : null;
    }

    private void SaveMetadata(SqliteTransaction transaction, SecretMetadata metadata, bool insert)
    {
        var command = Statement(transaction, insert ? InsertMetadataSql : UpdateMetadataSql, metadata.Address);
        command.Parameters.AddWithValue("$type", metadata.Type);
        command.Parameters.AddWithValue("$labels", LabelJson.Serialize(metadata.Labels));
        command.Parameters.AddWithValue("$annotations", LabelJson.Serialize(metadata.Annotations));
        command.Parameters.AddWithValue("$current", metadata.CurrentVersion);
        command.Parameters.AddWithValue("$max", metadata.MaxVersions);
        command.Parameters.AddWithValue("$immutable", metadata.Immutable ? 1 : 0);
        command.Parameters.AddWithValue("$created", metadata.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$updated", metadata.UpdatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$deleted", (object?)metadata.DeletedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private void RecordChange(SqliteTransaction transaction, SecretMetadata metadata, string kind, DateTimeOffset at)
    {
        var command = database.WriterStatements.Get(transaction, SecretChangeLogSql.Insert);
        command.Parameters.AddWithValue("@ns", metadata.Address.Namespace);
        command.Parameters.AddWithValue("@name", metadata.Address.Name);
        command.Parameters.AddWithValue("@version", metadata.CurrentVersion);
        command.Parameters.AddWithValue("@kind", kind);
        command.Parameters.AddWithValue("@at", at.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    private void RecordAudit(SqliteTransaction transaction, ChangeAuditRecord? audit)
    {
        if (audit is null)
        {
            return;
        }

        var command = database.WriterStatements.Get(transaction, AuditOutboxSql.Insert);
        command.Parameters.AddWithValue("@log", audit.LogId);
        command.Parameters.AddWithValue("@seq", audit.Seq);
        command.Parameters.AddWithValue("@line", audit.Line);
        command.ExecuteNonQuery();
    }

    /// <summary>A cached statement on the writer connection, for use inside a write's work; not to be disposed.</summary>
    private SqliteCommand Statement(SqliteTransaction transaction, string sql, SecretAddress address)
    {
        var command = database.WriterStatements.Get(transaction, sql);
        command.Parameters.AddWithValue("$ns", address.Namespace);
        command.Parameters.AddWithValue("$name", address.Name);
        return command;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, SecretAddress address)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$ns", address.Namespace);
        command.Parameters.AddWithValue("$name", address.Name);
        return command;
    }
}
