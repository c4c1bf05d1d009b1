namespace Coffer.Storage.Relational;

internal sealed class RelationalRewrapRequests(IRelationalDatabase database) : IRewrapRequests
{
    public Task RequestAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE installation SET rewrap_requested_at = @at WHERE id = 1;", at, cancellationToken);

    public Task<DateTimeOffset?> GetAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT rewrap_requested_at FROM installation WHERE id = 1;");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetTime(0) : null;
            },
            cancellationToken);

    public Task ClearAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE installation SET rewrap_requested_at = NULL WHERE id = 1 AND rewrap_requested_at = @at;", at, cancellationToken);

    private Task ExecuteAsync(string sql, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, transaction, sql).With("at", at);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
}
