using System.Diagnostics;

namespace Coffer.Kubernetes.Tests.Sealing;

/// <summary>Runs a script of tests/npm with node; ./test.sh installs its packages first.</summary>
internal static class NodeScript
{
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "npm");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return Directory.Exists(Path.Combine(candidate, "node_modules"))
                        ? candidate
                        : throw new InvalidOperationException($"run 'npm ci' in {candidate} (./test.sh does) before these tests");
                }
            }

            throw new InvalidOperationException("tests/npm not found above the test assembly");
        }
    }

    public static async Task<string> RunAsync(string script, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node {script} exited {process.ExitCode}: {await error}");
        return await output;
    }

    /// <summary>A file only the owner can read, for key material handed to node.</summary>
    public static string WritePrivateFile(string folder, string name, string content)
    {
        var path = Path.Combine(folder, name);
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        return path;
    }
}
