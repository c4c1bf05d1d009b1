using System.Data.Common;
using Npgsql;

namespace Coffer.Server.Hosting;

/// <summary>
/// Which replica runs the scheduled background work (rotation, lease expiry): on PostgreSQL, the one holding a
/// session-level advisory lock on a connection of its own; when that replica dies or loses its connection, the lock
/// goes with the session and another replica takes it within <see cref="Interval"/>. On SQLite there is one server.
/// </summary>
/// <param name="canLead">False while this replica cannot do the work (sealed): it then lets the lock go, or does not ask.</param>
internal sealed class BackgroundLeadership(string? postgresConnectionString, Func<bool> canLead, TimeProvider time, ILogger<BackgroundLeadership> logger) : BackgroundService
{
    /// <summary>How often a follower asks for the lock, and the leader checks it still holds its session.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Arbitrary but fixed, and distinct from the migration lock's key.</summary>
    private const long LockKey = 0x436F666665724C31;

    private volatile bool leader = postgresConnectionString is null;

    /// <summary>True while this replica should run scheduled background work.</summary>
    public bool IsLeader => leader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (postgresConnectionString is null)
        {
            return;
        }

        NpgsqlConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var able = canLead();
                    if (!leader && !able)
                    {
                        await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    connection ??= await OpenAsync(stoppingToken).ConfigureAwait(false);
                    await using var command = connection.CreateCommand();
                    // A sealed leader would hold the work up: it lets the lock go for an unsealed replica to take.
                    command.CommandText = (leader, able) switch
                    {
                        (true, true) => "SELECT true;",
                        (true, false) => "SELECT NOT pg_advisory_unlock(@key);",
                        _ => "SELECT pg_try_advisory_lock(@key);",
                    };
                    command.Parameters.AddWithValue("key", LockKey);
                    var holds = (bool)(await command.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false))!;
                    if (holds != leader)
                    {
                        leader = holds;
                        ServerLog.LeadershipChanged(logger, holds ? "took" : "lost");
                    }
                }
                catch (Exception e) when (e is DbException or IOException or TimeoutException or InvalidOperationException)
                {
                    // The session, and with it the lock, is gone: stop leading, and try again on a new connection.
                    if (leader)
                    {
                        leader = false;
                        ServerLog.LeadershipChanged(logger, "lost");
                    }

                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }
                }

                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            leader = false;
            if (connection is not null)
            {
                // Closing the session releases the lock at once, so another replica takes over at its next ask.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Unpooled: the lock belongs to this physical session, which must not go back to a pool.
        var builder = new NpgsqlConnectionStringBuilder(postgresConnectionString) { Pooling = false, KeepAlive = 5, Timeout = 5, CommandTimeout = 5 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
