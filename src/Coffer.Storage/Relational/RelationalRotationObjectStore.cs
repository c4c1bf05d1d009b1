namespace Coffer.Storage.Relational;

internal sealed class RelationalRotationObjectStore(IRelationalDatabase database) : IRotationObjectStore
{
    public Task<bool> PutAsync(string kind, string @namespace, string name, string body, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var exists = RelationalCommand.Create(connection, transaction, $"SELECT 1 FROM rotation_objects WHERE kind = @k AND namespace = @ns AND name = @n{database.LockForUpdate};")
                    .With("k", kind).With("ns", @namespace).With("n", name);
                var created = await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null;
                await using var upsert = RelationalCommand.Create(
                    connection,
                    transaction,
                    "INSERT INTO rotation_objects (kind, namespace, name, body, updated_at) VALUES (@k, @ns, @n, @b, @at) "
                    + "ON CONFLICT (kind, namespace, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at;")
                    .With("k", kind).With("ns", @namespace).With("n", name).With("b", body).With("at", at);
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return created;
            },
            cancellationToken);

    public Task<string?> GetAsync(string kind, string @namespace, string name, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT body FROM rotation_objects WHERE kind = @k AND namespace = @ns AND name = @n;")
                    .With("k", kind).With("ns", @namespace).With("n", name);
                return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            },
            cancellationToken);

    public Task<IReadOnlyList<RotationObject>> ListAsync(string kind, string? @namespace, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<RotationObject>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(
                    connection,
                    null,
                    $"SELECT namespace, name, body, updated_at FROM rotation_objects WHERE kind = @k{(@namespace is null ? string.Empty : " AND namespace = @ns")} ORDER BY namespace, name;")
                    .With("k", kind);
                if (@namespace is not null)
                {
                    command.With("ns", @namespace);
                }

                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var objects = new List<RotationObject>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    objects.Add(new RotationObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3)!.Value));
                }

                return objects;
            },
            cancellationToken);

    public Task<bool> DeleteAsync(string kind, string @namespace, string name, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var delete = RelationalCommand.Create(connection, transaction, "DELETE FROM rotation_objects WHERE kind = @k AND namespace = @ns AND name = @n;")
                    .With("k", kind).With("ns", @namespace).With("n", name);
                return await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            cancellationToken);
}
