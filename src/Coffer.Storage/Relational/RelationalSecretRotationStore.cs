using System.Data;
using System.Data.Common;
using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;

namespace Coffer.Storage.Relational;

internal sealed class RelationalSecretRotationStore(IRelationalDatabase database) : ISecretRotationStore
{
    private const string Columns =
        "namespace, name, token, base_version, last_step, status, error, started_at, updated_at, pending_key_id, pending_wrapped_key, pending_ciphertext, previous_version, revoke_previous_at";

    public Task<RotationState?> GetAsync(SecretAddress address, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, ct) => LoadAsync(connection, null, address, string.Empty, ct), cancellationToken);

    public Task<RotationState> BeginAsync(SecretAddress address, string token, long baseVersion, Func<long, SealedPayload> seal, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var secret = await LockSecretAsync(connection, transaction, address, ct).ConfigureAwait(false);
                var existing = await LoadAsync(connection, transaction, address, database.LockForUpdate, ct).ConfigureAwait(false);
                if (existing is not null && existing.Token == token)
                {
                    return existing;
                }

                if (existing is { Status: RotationStatus.InProgress })
                {
                    throw CofferException.Conflict("RotationInProgress", $"secret {address} has a rotation in progress under another request token; finish it or let it fail first");
                }

                if (secret.CurrentVersion != baseVersion)
                {
                    throw CofferException.Conflict("VersionConflict", $"expected version {baseVersion} but the current version is {secret.CurrentVersion}");
                }

                var payload = seal(baseVersion + 1);
                var state = new RotationState(address, token, baseVersion, RotationStep.Create, RotationStatus.InProgress, null, at, at, payload, existing?.PreviousVersion, null);
                await using (var delete = Command(connection, transaction, "DELETE FROM secret_rotations WHERE namespace = @ns AND name = @name;", address))
                {
                    await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await using var insert = Command(
                    connection,
                    transaction,
                    $"INSERT INTO secret_rotations ({Columns}) VALUES (@ns, @name, @token, @base, @step, @status, NULL, @at, @at, @kid, @wk, @ct, @prev, NULL);",
                    address)
                    .With("token", token)
                    .With("base", baseVersion)
                    .With("step", (int)RotationStep.Create, DbType.Int32)
                    .With("status", (int)RotationStatus.InProgress, DbType.Int32)
                    .With("at", at)
                    .With("kid", payload.KeyId, DbType.Int32)
                    .With("wk", payload.WrappedKey)
                    .With("ct", payload.Ciphertext)
                    .With("prev", existing?.PreviousVersion);
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return state;
            },
            cancellationToken);

    public Task<RotationState> RecordStepAsync(SecretAddress address, string token, RotationStep step, string? error, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await LockSecretAsync(connection, transaction, address, ct).ConfigureAwait(false);
                var state = await LoadMatchingAsync(connection, transaction, address, token, ct).ConfigureAwait(false);
                if (state.Status == RotationStatus.Finished)
                {
                    return state;
                }

                var updated = error is null
                    ? state with { LastStep = step > state.LastStep ? step : state.LastStep, Status = RotationStatus.InProgress, Error = null, UpdatedAt = at }
                    : state with { Status = RotationStatus.Failed, Error = error, UpdatedAt = at };
                await UpdateAsync(connection, transaction, updated, ct).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);

    public Task<RotationState> PromoteAsync(SecretAddress address, string token, string actor, DateTimeOffset? revokePreviousAt, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                var secret = await LockSecretAsync(connection, transaction, address, ct).ConfigureAwait(false);
                var state = await LoadMatchingAsync(connection, transaction, address, token, ct).ConfigureAwait(false);
                if (state.Status == RotationStatus.Finished)
                {
                    return state;
                }

                if (state.Status == RotationStatus.Failed || state.LastStep < RotationStep.Test || state.Pending is null)
                {
                    throw CofferException.Conflict("RotationNotTested", $"the pending version of {address} has not passed its test step; current is unchanged");
                }

                string? refusal = secret.CurrentVersion != state.BaseVersion
                    ? $"the secret changed since the rotation began (current is {secret.CurrentVersion}, the rotation started from {state.BaseVersion})"
                    : secret.Deleted ? "the secret is deleted" : secret.Immutable ? "the secret is immutable" : null;
                if (refusal is not null)
                {
                    var failed = state with { Status = RotationStatus.Failed, Error = refusal, UpdatedAt = at };
                    await UpdateAsync(connection, transaction, failed, ct).ConfigureAwait(false);
                    return failed;
                }

                var version = state.PendingVersion;
                await using (var insert = Command(
                    connection,
                    transaction,
                    "INSERT INTO secret_versions (namespace, name, version, created_at, created_by, key_id, wrapped_key, ciphertext) VALUES (@ns, @name, @v, @at, @by, @kid, @wk, @ct);",
                    address)
                    .With("v", version)
                    .With("at", at)
                    .With("by", actor)
                    .With("kid", state.Pending.KeyId, DbType.Int32)
                    .With("wk", state.Pending.WrappedKey)
                    .With("ct", state.Pending.Ciphertext))
                {
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await using (var move = Command(connection, transaction, "UPDATE secrets SET current_version = @v, updated_at = @at WHERE namespace = @ns AND name = @name;", address)
                    .With("v", version)
                    .With("at", at))
                {
                    await move.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                // Retention as for any write, except that the version now labelled previous is always kept.
                var oldest = Math.Min(Math.Max(1, version - secret.MaxVersions + 1), state.BaseVersion);
                await using (var prune = Command(connection, transaction, "DELETE FROM secret_versions WHERE namespace = @ns AND name = @name AND version < @oldest;", address).With("oldest", oldest))
                {
                    await prune.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                // Watchers (the Kubernetes operator) learn of the promoted version as of any other write.
                if (database.SerializeChangeLog.Length > 0)
                {
                    await using var serialize = Command(connection, transaction, database.SerializeChangeLog, address);
                    await serialize.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await using (var change = Command(connection, transaction, SecretChangeLogSql.Insert, address)
                    .With("version", version)
                    .With("kind", SecretChangeLogSql.Written)
                    .With("at", at))
                {
                    await change.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                var finished = state with
                {
                    LastStep = RotationStep.Finish,
                    Status = RotationStatus.Finished,
                    Error = null,
                    UpdatedAt = at,
                    Pending = null,
                    PreviousVersion = state.BaseVersion,
                    RevokePreviousAt = revokePreviousAt,
                };
                await UpdateAsync(connection, transaction, finished, ct).ConfigureAwait(false);
                return finished;
            },
            cancellationToken);

    public Task<bool> SetPreviousRevocationAsync(SecretAddress address, string token, DateTimeOffset revokeAt, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = Command(
                        connection,
                        transaction,
                        "UPDATE secret_rotations SET revoke_previous_at = @at WHERE namespace = @ns AND name = @name AND token = @token AND revoke_previous_at IS NOT NULL;",
                        address)
                    .With("token", token)
                    .With("at", revokeAt);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    public Task ClearPreviousRevocationAsync(SecretAddress address, string token, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = Command(connection, transaction, "UPDATE secret_rotations SET revoke_previous_at = NULL WHERE namespace = @ns AND name = @name AND token = @token;", address)
                    .With("token", token);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);

    public Task<IReadOnlyList<RotationState>> ListAsync(string @namespace, CancellationToken cancellationToken) =>
        QueryAsync("WHERE namespace = @ns ORDER BY name", c => c.With("ns", @namespace), cancellationToken);

    public Task<IReadOnlyList<RotationState>> ListRevocationsDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync("WHERE revoke_previous_at IS NOT NULL AND revoke_previous_at <= @now ORDER BY revoke_previous_at", c => c.With("now", now), cancellationToken);

    private Task<IReadOnlyList<RotationState>> QueryAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<RotationState>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, $"SELECT {Columns} FROM secret_rotations {where};");
                bind(command);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var states = new List<RotationState>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    states.Add(Read(reader) with { Pending = null });
                }

                return states;
            },
            cancellationToken);

    private async Task<RotationState> LoadMatchingAsync(DbConnection connection, DbTransaction transaction, SecretAddress address, string token, CancellationToken ct)
    {
        var state = await LoadAsync(connection, transaction, address, database.LockForUpdate, ct).ConfigureAwait(false)
            ?? throw CofferException.NotFound("RotationNotFound", $"secret {address} has no rotation; run the create step first");
        return state.Token == token
            ? state
            : throw CofferException.Conflict("RotationTokenMismatch", $"the rotation of {address} was started under another request token");
    }

    private async Task<SecretRow> LockSecretAsync(DbConnection connection, DbTransaction transaction, SecretAddress address, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, $"SELECT current_version, max_versions, deleted_at, immutable FROM secrets WHERE namespace = @ns AND name = @name{database.LockForUpdate};", address);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new SecretRow(reader.GetInt64(0), reader.GetInt32(1), !reader.IsDBNull(2), reader.GetBoolean(3))
            : throw CofferException.NotFound("SecretNotFound", $"secret {address} not found");
    }

    private static async Task<RotationState?> LoadAsync(DbConnection connection, DbTransaction? transaction, SecretAddress address, string lockClause, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, $"SELECT {Columns} FROM secret_rotations WHERE namespace = @ns AND name = @name{lockClause};", address);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static async Task UpdateAsync(DbConnection connection, DbTransaction transaction, RotationState state, CancellationToken ct)
    {
        await using var command = Command(
            connection,
            transaction,
            "UPDATE secret_rotations SET last_step = @step, status = @status, error = @error, updated_at = @at, pending_key_id = @kid, pending_wrapped_key = @wk, pending_ciphertext = @ct, "
            + "previous_version = @prev, revoke_previous_at = @revoke WHERE namespace = @ns AND name = @name;",
            state.Address)
            .With("step", (int)state.LastStep, DbType.Int32)
            .With("status", (int)state.Status, DbType.Int32)
            .With("error", state.Error)
            .With("at", state.UpdatedAt)
            .With("kid", state.Pending?.KeyId, DbType.Int32)
            .With("wk", state.Pending?.WrappedKey, DbType.Binary)
            .With("ct", state.Pending?.Ciphertext, DbType.Binary)
            .With("prev", state.PreviousVersion)
            .With("revoke", state.RevokePreviousAt);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static RotationState Read(DbDataReader reader) => new(
        new SecretAddress(reader.GetString(0), reader.GetString(1)),
        reader.GetString(2),
        reader.GetInt64(3),
        (RotationStep)reader.GetInt32(4),
        (RotationStatus)reader.GetInt32(5),
        reader.GetNullableString(6),
        reader.GetTime(7)!.Value,
        reader.GetTime(8)!.Value,
        reader.IsDBNull(9) ? null : new SealedPayload(reader.GetInt32(9), (byte[])reader[10], (byte[])reader[11]),
        reader.IsDBNull(12) ? null : reader.GetInt64(12),
        reader.GetTime(13));

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, SecretAddress address) =>
        RelationalCommand.Create(connection, transaction, sql).With("ns", address.Namespace).With("name", address.Name);

    private sealed record SecretRow(long CurrentVersion, int MaxVersions, bool Deleted, bool Immutable);
}
