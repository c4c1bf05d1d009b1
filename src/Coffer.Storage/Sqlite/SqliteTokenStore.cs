using Coffer.Core.Tokens;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

internal sealed class SqliteTokenStore(SqliteDatabase database) : ITokenStore
{
    public Task AddAsync(TokenRecord token, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                Insert(connection, transaction, token);
                return true;
            },
            cancellationToken);

    public Task<TokenRecord?> FindAsync(byte[] hash, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT hash, accessor, display_name, is_root, created_at, expires_at, parent_accessor FROM tokens WHERE hash = $h;";
            command.Parameters.AddWithValue("$h", hash);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new TokenRecord(
                    (byte[])reader[0],
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt64(3) != 0,
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6))
                : null;
        }));

    internal static void Insert(SqliteConnection connection, SqliteTransaction transaction, TokenRecord token)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO tokens (hash, accessor, display_name, is_root, created_at, expires_at, parent_accessor) VALUES ($h, $a, $d, $r, $c, $e, $p);";
        insert.Parameters.AddWithValue("$h", token.Hash);
        insert.Parameters.AddWithValue("$a", token.Accessor);
        insert.Parameters.AddWithValue("$d", token.DisplayName);
        insert.Parameters.AddWithValue("$r", token.IsRoot ? 1 : 0);
        insert.Parameters.AddWithValue("$c", token.CreatedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$e", (object?)token.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        insert.Parameters.AddWithValue("$p", (object?)token.ParentAccessor ?? DBNull.Value);
        insert.ExecuteNonQuery();
    }
}
