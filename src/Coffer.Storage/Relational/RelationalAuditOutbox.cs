using Coffer.Core.Secrets;

namespace Coffer.Storage.Relational;

internal sealed class RelationalAuditOutbox(IRelationalDatabase database) : IAuditOutbox
{
    public Task<IReadOnlyList<ChangeAuditRecord>> ReadAsync(string logId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ChangeAuditRecord>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT seq, line FROM audit_outbox WHERE log_id = @log ORDER BY seq;")
                    .With("log", logId);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var records = new List<ChangeAuditRecord>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    records.Add(new ChangeAuditRecord(logId, reader.GetInt64(0), (byte[])reader.GetValue(1)));
                }

                return records;
            },
            cancellationToken);

    public async Task<long> PruneAsync(string logId, long throughSeq, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM audit_outbox WHERE log_id = @log AND seq <= @through;",
            c => c.With("log", logId).With("through", throughSeq),
            cancellationToken).ConfigureAwait(false);
}
