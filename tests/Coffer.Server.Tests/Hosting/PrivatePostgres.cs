using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Coffer.Server.Tests.Hosting;

/// <summary>
/// A PostgreSQL cluster of the test's own, from the same Debian binaries ./test.sh uses, that the test may stop and
/// start again (the shared one must stay up for every other test). As root, the cluster belongs to the postgres user.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string folder;
    private readonly int port;
    private readonly bool asPostgresUser;

    private PrivatePostgres(string bin, string folder, int port, bool asPostgresUser)
    {
        this.bin = bin;
        this.folder = folder;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={port};Username=coffer;Database=postgres;Timeout=3;Command Timeout=5";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderBy(b => b, StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL's binaries are not installed: run ./test.sh, which installs Debian's postgresql package");
        var folder = Directory.CreateTempSubdirectory("coffer-private-pg-").FullName;
        var root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", ["postgres", folder]);
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var cluster = new PrivatePostgres(bin, folder, port, root);
        await cluster.PgAsync("initdb", "-D", Path.Combine(folder, "data"), "-U", "coffer", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8");
        await cluster.StartServerAsync();
        return cluster;
    }

    public Task StartServerAsync() =>
        PgAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start");

    /// <summary>Fast shutdown: sessions are ended, as when the database's host goes down for maintenance.</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-m", "immediate", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(folder, recursive: true);
    }

    private Task PgAsync(string tool, params string[] arguments) =>
        asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. arguments]) : RunAsync(Path.Combine(bin, tool), arguments);

    private static async Task RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
