using System.Text;

namespace Coffer.Cli.Tests.Hosting;

/// <summary>Runs the CLI in-process with its own variables and a temporary home, so the real one is never read.</summary>
internal sealed class CliSession : IDisposable
{
    public CliSession(TestServer? server = null, bool withToken = true)
    {
        Home = Directory.CreateTempSubdirectory("coffer-cli-home-").FullName;
        Variables["HOME"] = Home;
        if (server is not null)
        {
            Variables["COFFER_ADDR"] = server.Address;
            if (withToken && server.RootToken is not null)
            {
                Variables["COFFER_TOKEN"] = server.RootToken;
            }
        }
    }

    public string Home { get; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public string DefaultConfigPath => Path.Combine(Home, ".config", "coffer", "config");

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Runs with <paramref name="stdin"/> as redirected standard input (null: a terminal, nothing redirected).</summary>
    public async Task<CliResult> RunAsync(byte[]? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new MemoryStream(stdin ?? []);
        var environment = new CliEnvironment
        {
            Variables = new Dictionary<string, string>(Variables, StringComparer.Ordinal),
            HomeDirectory = Home,
            Input = input,
            InputRedirected = stdin is not null,
            PollInterval = TimeSpan.FromMilliseconds(20),
        };
        var exitCode = await CofferCommandLine.InvokeAsync(args, output, error, environment, CancellationToken.None).ConfigureAwait(false);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public Task<CliResult> RunWithInputAsync(string stdin, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), args);

    /// <summary>Runs and asserts exit code 0, showing both streams if not.</summary>
    public async Task<CliResult> SucceedAsync(params string[] args)
    {
        var result = await RunAsync(args).ConfigureAwait(false);
        Assert.True(result.ExitCode == 0, $"coffer {string.Join(' ', args)} failed: {result}");
        return result;
    }

    public string TempFile(string name, string content)
    {
        var path = Path.Combine(Home, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}
