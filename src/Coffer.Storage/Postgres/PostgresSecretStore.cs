using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Npgsql;
using NpgsqlTypes;

namespace Coffer.Storage.Postgres;

/// <summary>Secrets on PostgreSQL. Writes lock the secret's row (<c>FOR UPDATE</c>), so check-and-set holds across replicas.</summary>
internal sealed class PostgresSecretStore(PostgresDatabase database) : ISecretStore
{
    /// <summary>Arbitrary but fixed: the advisory lock that orders change-log revisions by commit.</summary>
    internal const long ChangeLogLockKey = 0x436F666665724348;

    public Task<SecretMetadata?> GetMetadataAsync(SecretAddress address, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => LoadMetadataAsync(connection, null, address, forUpdate: false, ct), cancellationToken);

    public Task<StoredVersion?> GetVersionAsync(SecretAddress address, long? version, CancellationToken cancellationToken) =>
        database.ReadAsync<StoredVersion?>(
            async (connection, ct) =>
            {
                var metadata = await LoadMetadataAsync(connection, null, address, forUpdate: false, ct).ConfigureAwait(false);
                if (metadata is null)
                {
                    return null;
                }

                await using var command = Command(connection, null, $"SELECT {SecretRows.VersionColumns} FROM secret_versions WHERE namespace = @ns AND name = @name AND version = @v;", address);
                command.Parameters.AddWithValue("v", version ?? metadata.CurrentVersion);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return new StoredVersion(metadata, null, null);
                }

                var info = SecretRows.ReadVersion(reader);
                var payload = SecretRows.ReadPayload(reader);
                return new StoredVersion(metadata, info, payload);
            },
            cancellationToken);

    public Task<SecretMetadata> WriteVersionAsync(SecretWrite write, Func<long, SealedPayload> seal, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var existing = await LoadMetadataAsync(connection, transaction, write.Address, forUpdate: true, ct).ConfigureAwait(false);
                if (existing is null && !await Relational.RelationalNamespaceStore.ExistsAsync(connection, transaction, write.Address.Namespace, ((Relational.IRelationalDatabase)database).LockForShare, ct).ConfigureAwait(false))
                {
                    throw Relational.RelationalNamespaceStore.NotFound(write.Address.Namespace);
                }

                var updated = SecretRules.ApplyWrite(existing, write);
                var payload = seal(updated.CurrentVersion);
                await SaveMetadataAsync(connection, transaction, updated, insert: existing is null, ct).ConfigureAwait(false);

                await using (var insert = Command(
                    connection,
                    transaction,
                    "INSERT INTO secret_versions (namespace, name, version, created_at, created_by, key_id, wrapped_key, ciphertext) VALUES (@ns, @name, @v, @at, @by, @kid, @wk, @ct);",
                    write.Address))
                {
                    insert.Parameters.AddWithValue("v", updated.CurrentVersion);
                    insert.Parameters.AddWithValue("at", write.At.ToUnixTimeMilliseconds());
                    insert.Parameters.AddWithValue("by", write.Actor);
                    insert.Parameters.AddWithValue("kid", payload.KeyId);
                    insert.Parameters.AddWithValue("wk", payload.WrappedKey);
                    insert.Parameters.AddWithValue("ct", payload.Ciphertext);
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await using (var prune = Command(connection, transaction, "DELETE FROM secret_versions WHERE namespace = @ns AND name = @name AND version < @oldest;", write.Address))
                {
                    prune.Parameters.AddWithValue("oldest", SecretRules.OldestKeptVersion(updated));
                    await prune.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await RecordChangeAsync(connection, transaction, updated, SecretChangeLogSql.Written, write.At, ct).ConfigureAwait(false);
                await RecordAuditAsync(connection, transaction, write.Audit, ct).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);

    public Task<SecretMetadata> ChangeAsync(SecretChange change, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var existing = await LoadMetadataAsync(connection, transaction, change.Address, forUpdate: true, ct).ConfigureAwait(false)
                    ?? throw CofferException.NotFound("SecretNotFound", $"secret {change.Address} not found");
                var history = await LoadHistoryAsync(connection, transaction, change.Address, ct).ConfigureAwait(false);
                var plan = SecretChangePlan.For(existing, history, change);
                if (plan.VersionsSql is not null)
                {
                    await using var command = Command(connection, transaction, plan.VersionsSql, change.Address);
                    command.Parameters.AddWithValue("at", change.At.ToUnixTimeMilliseconds());
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await SaveMetadataAsync(connection, transaction, plan.Updated, insert: false, ct).ConfigureAwait(false);
                await RecordChangeAsync(connection, transaction, plan.Updated, SecretChangeLogSql.KindOf(change.Kind), change.At, ct).ConfigureAwait(false);
                await RecordAuditAsync(connection, transaction, change.Audit, ct).ConfigureAwait(false);
                return plan.Updated;
            },
            cancellationToken);

    public Task<IReadOnlyList<SecretVersionInfo>> GetHistoryAsync(SecretAddress address, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SecretVersionInfo>>(
            async (connection, ct) => await LoadHistoryAsync(connection, null, address, ct).ConfigureAwait(false),
            cancellationToken);

    public Task<SecretPage> ListAsync(string @namespace, SecretListQuery query, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                var items = new List<SecretMetadata>();
                var after = query.After ?? string.Empty;
                const int chunk = 500;
                var deleted = query.IncludeDeleted ? string.Empty : "AND deleted_at IS NULL";
                while (true)
                {
                    await using var command = PostgresDatabase.Command(
                        connection,
                        null,
                        $"SELECT {SecretRows.MetadataColumns} FROM secrets WHERE namespace = @ns AND name > @after {deleted} ORDER BY name LIMIT @limit;");
                    command.Parameters.AddWithValue("ns", @namespace);
                    command.Parameters.AddWithValue("after", after);
                    command.Parameters.AddWithValue("limit", chunk + 1);
                    var rows = new List<SecretMetadata>();
                    await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            rows.Add(SecretRows.ReadMetadata(reader));
                        }
                    }

                    // One row past the chunk tells whether more follow without another query.
                    var more = rows.Count > chunk;
                    for (var i = 0; i < Math.Min(rows.Count, chunk); i++)
                    {
                        var metadata = rows[i];
                        after = metadata.Address.Name;
                        if (query.Filter is null || query.Filter(metadata))
                        {
                            items.Add(metadata);
                            if (items.Count == query.Limit)
                            {
                                return new SecretPage(items, more || i + 1 < rows.Count ? after : null);
                            }
                        }
                    }

                    if (!more)
                    {
                        return new SecretPage(items, null);
                    }
                }
            },
            cancellationToken);

    private static async Task<List<SecretVersionInfo>> LoadHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, SecretAddress address, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {SecretRows.VersionColumns} FROM secret_versions WHERE namespace = @ns AND name = @name ORDER BY version;", address);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<SecretVersionInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(SecretRows.ReadVersion(reader));
        }

        return history;
    }

    private static async Task<SecretMetadata?> LoadMetadataAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, SecretAddress address, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            transaction,
            $"SELECT {SecretRows.MetadataColumns} FROM secrets WHERE namespace = @ns AND name = @name{(forUpdate ? " FOR UPDATE" : string.Empty)};",
            address);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SecretRows.ReadMetadata(reader) : null;
    }

    private static async Task SaveMetadataAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SecretMetadata metadata, bool insert, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            transaction,
            insert
                ? $"INSERT INTO secrets ({SecretRows.MetadataColumns}) VALUES (@ns, @name, @type, @labels, @annotations, @current, @max, @immutable, @created, @updated, @deleted);"
                : "UPDATE secrets SET type = @type, labels = @labels, annotations = @annotations, current_version = @current, max_versions = @max, immutable = @immutable, created_at = @created, updated_at = @updated, deleted_at = @deleted WHERE namespace = @ns AND name = @name;",
            metadata.Address);
        command.Parameters.AddWithValue("type", metadata.Type);
        command.Parameters.AddWithValue("labels", LabelJson.Serialize(metadata.Labels));
        command.Parameters.AddWithValue("annotations", LabelJson.Serialize(metadata.Annotations));
        command.Parameters.AddWithValue("current", metadata.CurrentVersion);
        command.Parameters.AddWithValue("max", metadata.MaxVersions);
        command.Parameters.AddWithValue("immutable", metadata.Immutable);
        command.Parameters.AddWithValue("created", metadata.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("updated", metadata.UpdatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("deleted", NpgsqlDbType.Bigint, (object?)metadata.DeletedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends to the change log under a transaction-scoped advisory lock taken last: revisions then commit in the
    /// order they were drawn, so a watcher that has seen revision N can never later find a smaller one appear.
    /// </summary>
    private static async Task RecordChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SecretMetadata metadata, string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using (var serialize = PostgresDatabase.Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key);"))
        {
            serialize.Parameters.AddWithValue("key", ChangeLogLockKey);
            await serialize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = Command(connection, transaction, SecretChangeLogSql.Insert, metadata.Address);
        command.Parameters.AddWithValue("version", metadata.CurrentVersion);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("at", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task RecordAuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ChangeAuditRecord? audit, CancellationToken cancellationToken)
    {
        if (audit is null)
        {
            return;
        }

        await using var command = PostgresDatabase.Command(connection, transaction, AuditOutboxSql.Insert);
        command.Parameters.AddWithValue("log", audit.LogId);
        command.Parameters.AddWithValue("seq", audit.Seq);
        command.Parameters.AddWithValue("line", audit.Line);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, SecretAddress address)
    {
        var command = PostgresDatabase.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("ns", address.Namespace);
        command.Parameters.AddWithValue("name", address.Name);
        return command;
    }
}
