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
        var (exitCode, output, error) = await ChildProcess.RunAsync(
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
        return await ChildProcess.RunAsync(Binary, args, workingDirectory, variables, stdin ?? [], TimeSpan.FromMinutes(2));
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
