using System.Data;
using System.Data.Common;

namespace Coffer.Storage.Relational;

/// <summary>Builds commands whose SQL runs unchanged on SQLite and PostgreSQL: <c>@name</c> parameters, typed nulls.</summary>
internal static class RelationalCommand
{
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs one statement, its parameters bound by <paramref name="bind"/>, in a transaction of its own; returns the rows it changed.</summary>
    public static Task<int> ExecuteAsync(this IRelationalDatabase database, string sql, Func<DbCommand, DbCommand> bind, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = bind(Create(connection, transaction, sql));
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);

    public static DbCommand With(this DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, string? value) => command.With(name, value, DbType.String);

    public static DbCommand With(this DbCommand command, string name, long? value) => command.With(name, value, DbType.Int64);

    public static DbCommand With(this DbCommand command, string name, DateTimeOffset? value) => command.With(name, value?.ToUnixTimeMilliseconds(), DbType.Int64);

    public static DbCommand With(this DbCommand command, string name, byte[] value) => command.With(name, value, DbType.Binary);

    public static DateTimeOffset? GetTime(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
