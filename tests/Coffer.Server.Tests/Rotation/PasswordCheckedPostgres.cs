using Coffer.Storage.Tests.Postgres;
using Npgsql;

namespace Coffer.Server.Tests.Rotation;

/// <summary>
/// The test cluster trusts every login; rotation tests need passwords checked. Members of <see cref="Group"/> get
/// SCRAM authentication on loopback through two lines put first in the cluster's pg_hba.conf (written by the server
/// itself through COPY), so every other test keeps its trusted logins.
/// </summary>
internal static class PasswordCheckedPostgres
{
    public const string Group = "coffer_password_checked";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool ready;

    public static async Task EnsureAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (ready)
            {
                return;
            }

            await using var admin = new NpgsqlConnection(PostgresServer.AdminConnectionString);
            await admin.OpenAsync();
            await ExecuteAsync(admin, $"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Group}') THEN CREATE ROLE {Group} NOLOGIN; END IF; END$$;");
            await ExecuteAsync(admin, "DROP ROLE IF EXISTS coffer_hba_probe;");
            await ExecuteAsync(admin, $"CREATE ROLE coffer_hba_probe LOGIN PASSWORD 'right-password' IN ROLE {Group};");
            var hba = (string)(await ScalarAsync(admin, "SELECT setting FROM pg_settings WHERE name = 'hba_file';"))!;
            await using (var read = new NpgsqlCommand("SELECT pg_read_file(@f);", admin))
            {
                read.Parameters.AddWithValue("f", hba);
                var content = (string)(await read.ExecuteScalarAsync())!;
                if (!content.Contains(Group, StringComparison.Ordinal))
                {
                    var lines = new List<string> { $"host all +{Group} 127.0.0.1/32 scram-sha-256", $"host all +{Group} ::1/128 scram-sha-256" };
                    lines.AddRange(content.Split('\n').Select(l => l.Replace('\t', ' ')).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')));
                    // COPY takes no parameters, so the lines go in as literals.
                    var array = string.Join(',', lines.Select(Literal));
                    await ExecuteAsync(admin, $"COPY (SELECT line FROM unnest(ARRAY[{array}]::text[]) WITH ORDINALITY AS t(line, n) ORDER BY n) TO {Literal(hba)};");
                    await ExecuteAsync(admin, "SELECT pg_reload_conf();");
                }
            }

            // The reload is asynchronous: wait until a wrong password is refused.
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
            while (await CanLoginAsync("coffer_hba_probe", "wrong-password"))
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, "pg_hba.conf reload did not take effect");
                await Task.Delay(50);
            }

            ready = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<bool> CanLoginAsync(string user, string password, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString) { Username = user, Password = password, Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000" or "42501" or "3D000")
        {
            return false;
        }
    }

    private static string Literal(string text) => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
