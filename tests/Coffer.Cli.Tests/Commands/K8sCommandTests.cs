using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary><c>coffer k8s</c>: bad arguments are usage errors, unreachable inputs clear errors, never a crash.</summary>
public sealed class K8sCommandTests : IDisposable
{
    private readonly CliSession cli = new();
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-k8s-cli-").FullName;

    public void Dispose()
    {
        cli.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("db")]
    [InlineData("db=team-a")]
    [InlineData("../etc=team-a/db")]
    public async Task Fetch_MalformedSecret_IsAUsageError(string secret)
    {
        var result = await cli.RunAsync("k8s", "fetch", "--role", "team-a", "--out", folder, "--secret", secret);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("alias=namespace/name", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task Fetch_MissingTokenFile_IsAClearError()
    {
        var result = await cli.RunAsync("k8s", "fetch", "--role", "team-a", "--out", folder, "--secret", "db=team-a/db", "--address", "http://127.0.0.1:9", "--token-file", Path.Combine(folder, "absent"));

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(31)]
    public async Task Controller_NoHashKeyOrAShortOne_IsAUsageError(int? keyBytes)
    {
        var key = Path.Combine(folder, "key");
        if (keyBytes is { } length)
        {
            await File.WriteAllBytesAsync(key, new byte[length]);
        }

        var result = await cli.RunAsync("k8s", "controller", "--address", "http://127.0.0.1:9", "--hash-key-file", key);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("--hash-key-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Controller_WithoutHashKeyFileOption_IsAUsageError()
    {
        var result = await cli.RunAsync("k8s", "controller", "--address", "http://127.0.0.1:9");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("--hash-key-file", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k8s", "controller", "--address", "not a url")]
    [InlineData("k8s", "controller", "--resync-seconds", "0")]
    [InlineData("k8s", "webhook", "--tls-cert", "c.pem")]
    [InlineData("k8s", "fetch", "--out", "x")]
    [InlineData("k8s", "bogus")]
    public async Task BadArguments_Exit2(params string[] args)
    {
        var result = await cli.RunAsync(args);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }
}
