using System.Text.Json;
using Coffer.Core.Access;

namespace Coffer.Storage.Relational;

internal sealed class RelationalLoginRoleStore(IRelationalDatabase database) : ILoginRoleStore
{
    public Task<bool> PutAsync(LoginRole role, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var exists = RelationalCommand.Create(connection, transaction, $"SELECT 1 FROM login_roles WHERE name = @n{database.LockForUpdate};").With("n", role.Name);
                var created = await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null;
                await using var upsert = RelationalCommand.Create(
                    connection,
                    transaction,
                    "INSERT INTO login_roles (name, body, updated_at) VALUES (@n, @b, @at) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at;")
                    .With("n", role.Name)
                    .With("b", JsonSerializer.Serialize(role, StorageJsonContext.Default.LoginRole))
                    .With("at", at);
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return created;
            },
            cancellationToken);

    public async Task<LoginRole?> GetAsync(string name, CancellationToken cancellationToken) =>
        (await LoadAsync("WHERE name = @n", name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<LoginRole>> ListAsync(CancellationToken cancellationToken) => LoadAsync(string.Empty, null, cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var delete = RelationalCommand.Create(connection, transaction, "DELETE FROM login_roles WHERE name = @n;").With("n", name);
                return await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    private Task<IReadOnlyList<LoginRole>> LoadAsync(string where, string? name, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<LoginRole>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, $"SELECT body FROM login_roles {where} ORDER BY name;");
                if (name is not null)
                {
                    command.With("n", name);
                }

                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var roles = new List<LoginRole>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    roles.Add(JsonSerializer.Deserialize(reader.GetString(0), StorageJsonContext.Default.LoginRole)!);
                }

                return roles;
            },
            cancellationToken);
}
