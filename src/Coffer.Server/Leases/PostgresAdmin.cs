using Coffer.Core.Errors;
using Npgsql;

namespace Coffer.Server.Leases;

/// <summary>Admin work on a target PostgreSQL: roles, passwords, sessions. Errors keep PostgreSQL's message, which holds no password.</summary>
internal static class PostgresAdmin
{
    /// <summary>Checks the admin connection string, so a bad one is refused before anything is stored.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 15 };
        }
        catch (ArgumentException)
        {
            throw CofferException.Invalid("InvalidConnectionString", "the connection secret does not hold a valid PostgreSQL connection string", "connectionSecret");
        }
    }

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(Parse(connectionString).ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Failure("cannot connect to the database as its admin", e);
        }
    }

    /// <summary>A connection string for <paramref name="username"/> to the admin's database, not pooled.</summary>
    public static string For(string adminConnectionString, string username, string password) =>
        new NpgsqlConnectionStringBuilder(adminConnectionString) { Username = username, Password = password, Pooling = false, Timeout = 15 }.ConnectionString;

    public static async Task<bool> RoleExistsAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @r;", connection);
        command.Parameters.AddWithValue("r", role);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Sets a role's password from a SCRAM verifier; PostgreSQL quotes the identifier and literal itself.</summary>
    public static async Task SetPasswordAsync(NpgsqlConnection connection, string role, string? verifier, CancellationToken cancellationToken)
    {
        await using var format = new NpgsqlCommand(
            verifier is null ? "SELECT format('ALTER ROLE %I WITH PASSWORD NULL', @r);" : "SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', @r, @v);",
            connection);
        format.Parameters.AddWithValue("r", role);
        if (verifier is not null)
        {
            format.Parameters.AddWithValue("v", verifier);
        }

        var statement = (string)(await format.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        await using var alter = new NpgsqlCommand(statement, connection);
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops new logins, then ends the role's sessions, so none outlives its credential.</summary>
    public static async Task DisableAndDisconnectAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using (var format = new NpgsqlCommand("SELECT format('ALTER ROLE %I WITH NOLOGIN', @r);", connection))
        {
            format.Parameters.AddWithValue("r", role);
            var statement = (string)(await format.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            await using var alter = new NpgsqlCommand(statement, connection);
            await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = @r;", connection);
        terminate.Parameters.AddWithValue("r", role);
        await terminate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PostgreSQL's own message and code: it names roles and objects, never passwords.</summary>
    public static CofferException Failure(string what, Exception e) => new(
        ErrorKind.Conflict,
        "DatabaseError",
        e is PostgresException pg ? $"{what}: {pg.SqlState} {pg.MessageText}" : $"{what}: {e.GetType().Name}");
}
