using System.Data.Common;
using Coffer.Core.Errors;

namespace Coffer.Storage.Relational;

internal sealed class RelationalNamespaceStore(IRelationalDatabase database) : INamespaceStore
{
    public Task CreateAsync(string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, transaction, "INSERT INTO namespaces (name, created_at) VALUES (@n, @at) ON CONFLICT (name) DO NOTHING;")
                    .With("n", name)
                    .With("at", at);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1
                    ? true
                    : throw CofferException.Conflict("NamespaceExists", $"namespace {name} already exists");
            },
            cancellationToken);

    public Task<long> DeleteAsync(string name, bool force, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                if (!await ExistsAsync(connection, transaction, name, database.LockForUpdate, ct).ConfigureAwait(false))
                {
                    throw NotFound(name);
                }

                var secrets = await CountAsync(connection, transaction, "SELECT COUNT(*) FROM secrets WHERE namespace = @n;", name, ct).ConfigureAwait(false);
                var access = await CountAsync(connection, transaction, "SELECT COUNT(*) FROM access_objects WHERE namespace = @n;", name, ct).ConfigureAwait(false);
                if (!force && secrets + access > 0)
                {
                    throw CofferException.Conflict(
                        "NamespaceNotEmpty",
                        $"namespace {name} holds {secrets} secret(s) and {access} role(s) or binding(s); delete them first, or force the deletion");
                }

                foreach (var sql in new[]
                {
                    "DELETE FROM secret_versions WHERE namespace = @n;",
                    "DELETE FROM secrets WHERE namespace = @n;",
                    "DELETE FROM access_objects WHERE namespace = @n;",
                    "DELETE FROM namespaces WHERE name = @n;",
                })
                {
                    await using var command = RelationalCommand.Create(connection, transaction, sql).With("n", name);
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                return secrets;
            },
            cancellationToken);

    internal static CofferException NotFound(string name) =>
        CofferException.NotFound("NamespaceNotFound", $"namespace {name} not found; create it first");

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<NamespaceRecord>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT name, created_at FROM namespaces ORDER BY name;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var namespaces = new List<NamespaceRecord>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    namespaces.Add(new NamespaceRecord(reader.GetString(0), reader.GetTime(1)!.Value));
                }

                return namespaces;
            },
            cancellationToken);

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => ExistsAsync(connection, null, name, string.Empty, ct), cancellationToken);

    /// <summary>Inside a write, pass <see cref="IRelationalDatabase.LockForShare"/> so the namespace cannot be deleted before the write commits.</summary>
    internal static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, string name, string lockClause, CancellationToken cancellationToken)
    {
        await using var command = RelationalCommand.Create(connection, transaction, $"SELECT 1 FROM namespaces WHERE name = @n{lockClause};").With("n", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction transaction, string sql, string name, CancellationToken cancellationToken)
    {
        await using var command = RelationalCommand.Create(connection, transaction, sql).With("n", name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
