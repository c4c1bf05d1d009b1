using System.Data.Common;

namespace Coffer.Storage.Relational;

internal sealed class RelationalSecretChangeLog(IRelationalDatabase database) : ISecretChangeLog
{
    public Task<IReadOnlyList<SecretChangeRecord>> ReadAsync(string @namespace, long afterRevision, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SecretChangeRecord>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(
                        connection,
                        null,
                        "SELECT revision, namespace, name, version, kind, at FROM secret_changes WHERE namespace = @ns AND revision > @after ORDER BY revision LIMIT @limit;")
                    .With("ns", @namespace)
                    .With("after", afterRevision)
                    .With("limit", (long)limit);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var changes = new List<SecretChangeRecord>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    changes.Add(Read(reader));
                }

                return changes;
            },
            cancellationToken);

    public Task<long> LatestRevisionAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT COALESCE(MAX(revision), 0) FROM secret_changes;");
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    // Revisions are never reused and rows leave only by pruning, oldest first, so everything below the oldest kept row was pruned.
    public Task<long> PrunedThroughAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, "SELECT COALESCE(MIN(revision) - 1, 0) FROM secret_changes;");
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    public Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                // The newest row stays, so the latest revision (and with it every watcher's bookmark) never goes back.
                await using var command = RelationalCommand.Create(
                        connection,
                        transaction,
                        "DELETE FROM secret_changes WHERE at < @cutoff AND revision < (SELECT MAX(revision) FROM secret_changes);")
                    .With("cutoff", cutoff);
                return (long)await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);

    private static SecretChangeRecord Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetString(4),
        reader.GetTime(5)!.Value);
}
