using Coffer.Core.Tokens;
using Npgsql;

namespace Coffer.Storage.Postgres;

internal sealed class PostgresTokenStore(PostgresDatabase database) : ITokenStore
{
    public Task AddAsync(TokenRecord token, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await InsertAsync(connection, transaction, token, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<TokenRecord?> FindAsync(byte[] hash, CancellationToken cancellationToken) =>
        database.ReadAsync<TokenRecord?>(
            async (connection, ct) =>
            {
                await using var command = PostgresDatabase.Command(
                    connection,
                    null,
                    "SELECT hash, accessor, display_name, is_root, created_at, expires_at, parent_accessor FROM tokens WHERE hash = @h;");
                command.Parameters.AddWithValue("h", hash);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new TokenRecord(
                        (byte[])reader[0],
                        reader.GetString(1),
                        reader.GetString(2),
                        reader.GetBoolean(3),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                        reader.IsDBNull(6) ? null : reader.GetString(6))
                    : null;
            },
            cancellationToken);

    internal static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TokenRecord token, CancellationToken cancellationToken)
    {
        await using var insert = PostgresDatabase.Command(
            connection,
            transaction,
            "INSERT INTO tokens (hash, accessor, display_name, is_root, created_at, expires_at, parent_accessor) VALUES (@h, @a, @d, @r, @c, @e, @p);");
        insert.Parameters.AddWithValue("h", token.Hash);
        insert.Parameters.AddWithValue("a", token.Accessor);
        insert.Parameters.AddWithValue("d", token.DisplayName);
        insert.Parameters.AddWithValue("r", token.IsRoot);
        insert.Parameters.AddWithValue("c", token.CreatedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("e", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)token.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        insert.Parameters.AddWithValue("p", NpgsqlTypes.NpgsqlDbType.Text, (object?)token.ParentAccessor ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
