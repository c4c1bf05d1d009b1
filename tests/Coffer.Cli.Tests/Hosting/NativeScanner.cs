using System.Diagnostics;
using System.Text;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>
/// Publishes <c>coffer-scan</c> from this checkout once per test run (ahead-of-time compiled, into a temporary folder with
/// its own build outputs, so the tests' own build is untouched) and runs it as a process.
/// </summary>
public sealed class NativeScanner : IAsyncLifetime
{
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(10);

    private readonly string folder = Directory.CreateTempSubdirectory("coffer-scan-publish-").FullName;

    public string Binary => Path.Combine(folder, "out", "coffer-scan");

    public async Task InitializeAsync()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "Coffer.Cli");
        var (exitCode, output, error) = await RunAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-p:CofferScan=true", "--artifacts-path", Path.Combine(folder, "artifacts"), "-o", Path.Combine(folder, "out"), "--disable-build-servers", "-nodeReuse:false"],
            folder,
            new Dictionary<string, string>(StringComparer.Ordinal),
            null,
            PublishDeadline);
        Assert.True(exitCode == 0 && File.Exists(Binary), $"publishing coffer-scan failed (exit {exitCode}):\n{output}\n{error}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs coffer-scan in <paramref name="workingDirectory"/> with HOME set there and <paramref name="stdin"/> (or nothing) as its input.</summary>
    internal async Task<CliResult> ScanAsync(string workingDirectory, byte[]? stdin, params string[] args)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = workingDirectory };
        var (exitCode, output, error) = await RunAsync(Binary, args, workingDirectory, variables, stdin ?? [], TimeSpan.FromMinutes(2));
        return new CliResult(exitCode, output, error);
    }

    /// <summary>Runs a process to its end (killed at <paramref name="deadline"/>) with <paramref name="stdin"/> (or nothing) as its input.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string fileName, IEnumerable<string> args, string workingDirectory, Dictionary<string, string> variables, byte[]? stdin, TimeSpan deadline)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host runs under MSBuild's variables, which would steer a nested `dotnet publish` to the wrong SDK paths.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(deadline);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, timeout.Token);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {deadline}");
        }

        return (process.ExitCode, await output, await error);
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coffer.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Coffer.slnx above {AppContext.BaseDirectory}");
    }
}
