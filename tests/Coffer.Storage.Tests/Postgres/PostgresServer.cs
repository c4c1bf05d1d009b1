using Npgsql;

namespace Coffer.Storage.Tests.Postgres;

/// <summary>
/// The real PostgreSQL that ./test.sh starts from Debian's package; each test gets a database of its own.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "COFFER_TEST_POSTGRES";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} is not set: run ./test.sh, which starts PostgreSQL and sets it");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"coffer_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
