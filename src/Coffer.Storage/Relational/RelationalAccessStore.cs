using System.Data.Common;
using System.Text.Json;
using Coffer.Core.Access;

namespace Coffer.Storage.Relational;

/// <summary>Roles and bindings as JSON documents keyed by kind, namespace (empty for cluster objects) and name.</summary>
internal sealed class RelationalAccessStore(IRelationalDatabase database) : IAccessStore
{
    public Task<AccessObjects> LoadAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT kind, body FROM access_objects ORDER BY kind, namespace, name;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var roles = new List<AccessRole>();
                var bindings = new List<AccessBinding>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var body = reader.GetString(1);
                    if (reader.GetString(0) is AccessKinds.Role or AccessKinds.ClusterRole)
                    {
                        roles.Add(JsonSerializer.Deserialize(body, StorageJsonContext.Default.AccessRole)!);
                    }
                    else
                    {
                        bindings.Add(JsonSerializer.Deserialize(body, StorageJsonContext.Default.AccessBinding)!);
                    }
                }

                return new AccessObjects(roles, bindings);
            },
            cancellationToken);

    public Task<IReadOnlyList<AccessChange>> ApplyAsync(AccessObjects objects, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<AccessChange>>(
            async (connection, transaction, ct) =>
            {
                var documents = objects.Roles.Select(r => (Key: new AccessObjectKey(r.Kind, r.Namespace, r.Name), Body: JsonSerializer.Serialize(r, StorageJsonContext.Default.AccessRole)))
                    .Concat(objects.Bindings.Select(b => (Key: new AccessObjectKey(b.Kind, b.Namespace, b.Name), Body: JsonSerializer.Serialize(b, StorageJsonContext.Default.AccessBinding))));
                var changes = new List<AccessChange>();
                foreach (var (key, body) in documents)
                {
                    if (key.Namespace is { } ns && !await RelationalNamespaceStore.ExistsAsync(connection, transaction, ns, database.LockForShare, ct).ConfigureAwait(false))
                    {
                        throw RelationalNamespaceStore.NotFound(ns);
                    }

                    var existing = await FindBodyAsync(connection, transaction, key, ct).ConfigureAwait(false);
                    if (existing == body)
                    {
                        changes.Add(new AccessChange(key, "unchanged"));
                        continue;
                    }

                    await using var upsert = RelationalCommand.Create(
                        connection,
                        transaction,
                        "INSERT INTO access_objects (kind, namespace, name, body, updated_at) VALUES (@k, @ns, @n, @b, @at) "
                        + "ON CONFLICT (kind, namespace, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at;")
                        .With("k", key.Kind)
                        .With("ns", key.Namespace ?? string.Empty)
                        .With("n", key.Name)
                        .With("b", body)
                        .With("at", at);
                    await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    changes.Add(new AccessChange(key, existing is null ? "created" : "configured"));
                }

                return changes;
            },
            cancellationToken);

    public Task<IReadOnlyList<AccessChange>> DeleteAsync(IReadOnlyList<AccessObjectKey> keys, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<AccessChange>>(
            async (connection, transaction, ct) =>
            {
                var changes = new List<AccessChange>();
                foreach (var key in keys)
                {
                    await using var delete = RelationalCommand.Create(connection, transaction, "DELETE FROM access_objects WHERE kind = @k AND namespace = @ns AND name = @n;")
                        .With("k", key.Kind)
                        .With("ns", key.Namespace ?? string.Empty)
                        .With("n", key.Name);
                    var deleted = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    changes.Add(new AccessChange(key, deleted == 1 ? "deleted" : "not found"));
                }

                return changes;
            },
            cancellationToken);

    public Task RecordUserAsync(string user, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var upsert = RelationalCommand.Create(
                    connection,
                    transaction,
                    "INSERT INTO known_users (name, last_seen_at) VALUES (@n, @at) ON CONFLICT (name) DO UPDATE SET last_seen_at = excluded.last_seen_at;")
                    .With("n", user)
                    .With("at", at);
                return await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);

    public Task<IReadOnlyList<string>> KnownUsersAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT name FROM known_users ORDER BY name;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var users = new List<string>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    users.Add(reader.GetString(0));
                }

                return users;
            },
            cancellationToken);

    private async Task<string?> FindBodyAsync(DbConnection connection, DbTransaction transaction, AccessObjectKey key, CancellationToken cancellationToken)
    {
        await using var command = RelationalCommand.Create(connection, transaction, $"SELECT body FROM access_objects WHERE kind = @k AND namespace = @ns AND name = @n{database.LockForUpdate};")
            .With("k", key.Kind)
            .With("ns", key.Namespace ?? string.Empty)
            .With("n", key.Name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }
}
