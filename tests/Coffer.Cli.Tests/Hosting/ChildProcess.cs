using System.Diagnostics;
using System.Text;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>Runs the programs the tests start as processes: git, dotnet and the published coffer-scan.</summary>
internal static class ChildProcess
{
    /// <summary>Runs a process to its end (killed at <paramref name="deadline"/>) with <paramref name="stdin"/> (or nothing) as its input.</summary>
    public static async Task<CliResult> RunAsync(
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

        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs git in <paramref name="folder"/> and fails the test, with git's message, unless it succeeds.</summary>
    public static async Task GitAsync(string folder, params string[] args)
    {
        var result = await RunAsync("git", args, folder, new Dictionary<string, string>(StringComparer.Ordinal), [], TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Error);
    }
}
