using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>A real <c>coffer server</c> process on PostgreSQL, on a free port, unsealed from a key file; killable.</summary>
internal sealed partial class ReplicaProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringWriter logs = new();
    private readonly string folder;

    private ReplicaProcess(Process process, string folder)
    {
        this.process = process;
        this.folder = folder;
    }

    public Uri Address { get; private set; } = null!;

    public bool Exited => process.HasExited;

    public static async Task<ReplicaProcess> StartAsync(string postgres, string keyFile)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-replica-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "coffer.dll"), "server", "--postgres", postgres, "--listen", "127.0.0.1:0", "--insecure-listen", "--unseal-key-file", keyFile, "--audit-dir", Path.Combine(folder, "audit") })
        {
            start.ArgumentList.Add(argument);
        }

        var replica = new ReplicaProcess(Process.Start(start)!, folder);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        replica.process.OutputDataReceived += (_, e) => replica.Line(e.Data, listening);
        replica.process.ErrorDataReceived += (_, e) => replica.Line(e.Data, listening);
        replica.process.BeginOutputReadLine();
        replica.process.BeginErrorReadLine();
        _ = replica.process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(new InvalidOperationException($"coffer server exited: {replica.logs}")), TaskScheduler.Default);
        replica.Address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return replica;
    }

    /// <summary>As a crash or an OOM kill would: no shutdown, no goodbye to PostgreSQL.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
        Coffer.Tests.Shared.LeakScanArtifacts.Keep(folder, Coffer.Tests.Shared.LeakScanArtifacts.NewLogWriter() is { } writer ? Copy(writer) : null, null);
        Directory.Delete(folder, recursive: true);
    }

    private StringWriter Copy(StringWriter writer)
    {
        lock (logs)
        {
            writer.Write(logs.ToString());
        }

        return writer;
    }

    private void Line(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (logs)
        {
            logs.WriteLine(line);
        }

        if (Listening().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Coffer listening on (http://[0-9.:]+/?)")]
    private static partial Regex Listening();
}
