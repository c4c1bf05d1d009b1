using System.Diagnostics;

namespace Coffer.Server.Tests.Hosting;

/// <summary>Runs a third-party tool that ./test.sh installed (promtool, node) and captures what it says.</summary>
internal static class ExternalTool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> arguments, string? input = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed: run the tests through ./test.sh, which installs it ({e.Message})", e);
        }

        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await output) + (await error));
        }
    }
}
