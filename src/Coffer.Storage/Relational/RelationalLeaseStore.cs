using System.Data.Common;

namespace Coffer.Storage.Relational;

internal sealed class RelationalLeaseStore(IRelationalDatabase database) : ILeaseStore
{
    private const string Columns = "id, namespace, issued_at, expires_at, revoked_at, body";

    public Task CreateAsync(LeaseRow lease, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var insert = RelationalCommand.Create(connection, transaction, $"INSERT INTO leases ({Columns}) VALUES (@id, @ns, @issued, @expires, NULL, @body);")
                    .With("id", lease.Id).With("ns", lease.Namespace).With("issued", lease.IssuedAt).With("expires", lease.ExpiresAt).With("body", lease.Body);
                return await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<LeaseRow?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE id = @id", c => c.With("id", id), cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<LeaseRow>> ListAsync(string? @namespace, bool includeRevoked, CancellationToken cancellationToken)
    {
        var conditions = new List<string>();
        if (@namespace is not null)
        {
            conditions.Add("namespace = @ns");
        }

        if (!includeRevoked)
        {
            conditions.Add("revoked_at IS NULL");
        }

        var where = conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);
        return QueryAsync(
            $"{where} ORDER BY id",
            c =>
            {
                if (@namespace is not null)
                {
                    c.With("ns", @namespace);
                }
            },
            cancellationToken);
    }

    public Task<bool> RenewAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        ChangeAsync("UPDATE leases SET expires_at = @at WHERE id = @id AND revoked_at IS NULL;", id, expiresAt, cancellationToken);

    public Task<bool> MarkRevokedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        ChangeAsync("UPDATE leases SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;", id, at, cancellationToken);

    public Task<IReadOnlyList<LeaseRow>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryAsync("WHERE revoked_at IS NULL AND expires_at <= @now ORDER BY expires_at LIMIT @limit", c => c.With("now", now).With("limit", (long)limit), cancellationToken);

    private Task<bool> ChangeAsync(string sql, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, transaction, sql).With("id", id).With("at", at);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    private Task<IReadOnlyList<LeaseRow>> QueryAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<LeaseRow>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, $"SELECT {Columns} FROM leases {where};");
                bind(command);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var rows = new List<LeaseRow>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    rows.Add(new LeaseRow(reader.GetString(0), reader.GetString(1), reader.GetTime(2)!.Value, reader.GetTime(3)!.Value, reader.GetTime(4), reader.GetString(5)));
                }

                return rows;
            },
            cancellationToken);
}
