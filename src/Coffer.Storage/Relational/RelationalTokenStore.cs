using System.Data;
using System.Data.Common;
using System.Text.Json;
using Coffer.Core.Access;
using Coffer.Core.Tokens;

namespace Coffer.Storage.Relational;

/// <summary>Tokens, by hash, on either backend.</summary>
internal sealed class RelationalTokenStore(IRelationalDatabase database) : ITokenStore
{
    private const string Columns =
        "hash, accessor, display_name, is_root, created_at, expires_at, parent_accessor, user_name, groups, roles, renewable, ttl_ms, max_expires_at";

    public Task AddAsync(TokenRecord token, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await InsertAsync(connection, transaction, token, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<TokenRecord?> FindAsync(byte[] hash, CancellationToken cancellationToken) =>
        FindOneAsync("hash = @h", command => command.With("h", hash), cancellationToken);

    public Task<TokenRecord?> FindByAccessorAsync(string accessor, CancellationToken cancellationToken) =>
        FindOneAsync("accessor = @a", command => command.With("a", accessor), cancellationToken);

    public Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<TokenRecord>>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, $"SELECT {Columns} FROM tokens ORDER BY created_at, accessor;");
                return await ReadAllAsync(command, ct).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<bool> RenewAsync(string accessor, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE tokens SET expires_at = @e WHERE accessor = @a;", c => c.With("e", expiresAt).With("a", accessor), cancellationToken).ConfigureAwait(false) == 1;

    public Task<IReadOnlyList<string>> RevokeAsync(string accessor, bool withDescendants, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<string>>(
            async (connection, transaction, ct) =>
            {
                var sql = withDescendants
                    ? "WITH RECURSIVE doomed(accessor) AS (SELECT accessor FROM tokens WHERE accessor = @a "
                        + "UNION SELECT t.accessor FROM tokens t JOIN doomed d ON t.parent_accessor = d.accessor) "
                        + "DELETE FROM tokens WHERE accessor IN (SELECT accessor FROM doomed) RETURNING accessor;"
                    : "DELETE FROM tokens WHERE accessor = @a RETURNING accessor;";
                await using var command = RelationalCommand.Create(connection, transaction, sql).With("a", accessor);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                var revoked = new List<string>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    revoked.Add(reader.GetString(0));
                }

                return revoked;
            },
            cancellationToken);

    internal static async Task InsertAsync(DbConnection connection, DbTransaction transaction, TokenRecord token, CancellationToken cancellationToken)
    {
        await using var insert = RelationalCommand.Create(
            connection,
            transaction,
            $"INSERT INTO tokens ({Columns}) VALUES (@h, @a, @d, @r, @c, @e, @p, @u, @g, @roles, @renewable, @ttl, @max);")
            .With("h", token.Hash)
            .With("a", token.Accessor)
            .With("d", token.DisplayName)
            .With("r", token.IsRoot, DbType.Boolean)
            .With("c", token.CreatedAt)
            .With("e", token.ExpiresAt)
            .With("p", token.ParentAccessor)
            .With("u", token.User)
            .With("g", JsonSerializer.Serialize(token.Groups, StorageJsonContext.Default.IReadOnlyListString))
            .With("roles", JsonSerializer.Serialize(token.Roles, StorageJsonContext.Default.IReadOnlyListBoundRole))
            .With("renewable", token.Renewable, DbType.Boolean)
            .With("ttl", (long?)token.Ttl?.TotalMilliseconds)
            .With("max", token.MaxExpiresAt);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<TokenRecord?> FindOneAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync<TokenRecord?>(
            async (connection, ct) =>
            {
                await using var command = RelationalCommand.Create(connection, null, $"SELECT {Columns} FROM tokens WHERE {where};");
                bind(command);
                var found = await ReadAllAsync(command, ct).ConfigureAwait(false);
                return found.Count == 0 ? null : found[0];
            },
            cancellationToken);

    private static async Task<List<TokenRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tokens = new List<TokenRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(new TokenRecord(
                (byte[])reader[0],
                reader.GetString(1),
                reader.GetString(2),
                reader.GetBoolean(3),
                reader.GetTime(4)!.Value,
                reader.GetTime(5),
                reader.GetNullableString(6))
            {
                User = reader.GetString(7),
                Groups = JsonSerializer.Deserialize(reader.GetString(8), StorageJsonContext.Default.IReadOnlyListString) ?? [],
                Roles = JsonSerializer.Deserialize(reader.GetString(9), StorageJsonContext.Default.IReadOnlyListBoundRole) ?? [],
                Renewable = reader.GetBoolean(10),
                Ttl = reader.IsDBNull(11) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(11)),
                MaxExpiresAt = reader.GetTime(12),
            });
        }

        return tokens;
    }
}
