using Coffer.Cli.Tests.Hosting;
using YamlDotNet.RepresentationModel;

namespace Coffer.Cli.Tests;

/// <summary>
/// Each hook in .pre-commit-hooks.yaml, run the way pre-commit runs a <c>language: system</c> hook (its entry's words, then
/// the staged files unless <c>pass_filenames: false</c>, in the repository's root), refuses a commit that adds a secret.
/// </summary>
[Collection(NativeScannerCollection.Name)]
public sealed class PreCommitHooksTests(NativeScanner scanner) : IDisposable
{
    private const string Token = "ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4";

    private readonly string repository = Directory.CreateTempSubdirectory("coffer-hooks-").FullName;

    public static TheoryData<string> HookIds => [.. Hooks().Select(h => h.Id)];

    public void Dispose() => Directory.Delete(repository, recursive: true);

    [Theory]
    [MemberData(nameof(HookIds))]
    public async Task Hook_RunAsPreCommitRunsIt_FailsOnlyWhenAStagedFileAddsASecret(string id)
    {
        var hook = Hooks().Single(h => h.Id == id);
        Assert.Equal("system", hook.Language);
        await ChildProcess.GitAsync(repository, "init", "-q");
        await File.WriteAllTextAsync(Path.Combine(repository, "readme.md"), "nothing secret\n");
        await ChildProcess.GitAsync(repository, "add", "readme.md");

        var clean = await RunHookAsync(hook, ["readme.md"]);
        await File.WriteAllTextAsync(Path.Combine(repository, "app.env"), $"A=1\nGITHUB_TOKEN={Token}\n");
        await ChildProcess.GitAsync(repository, "add", "app.env");
        var refused = await RunHookAsync(hook, ["readme.md", "app.env"]);

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.True(refused.ExitCode == CliExitCode.Error, refused.ToString());
        Assert.Contains("app.env:2:14", refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, refused.Output + refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hooks_File_DefinesTheStagedFilesAndNativeHooks() =>
        Assert.Equal(["coffer-scan", "coffer-scan-files", "coffer-scan-native"], Hooks().Select(h => h.Id));

    private async Task<CliResult> RunHookAsync(Hook hook, string[] stagedFiles)
    {
        var words = hook.Entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var arguments = words[1..].Concat(hook.PassFilenames ? stagedFiles : []).ToList();
        var (fileName, prefix) = words[0] switch
        {
            "coffer" => ("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "coffer.dll") }),
            "coffer-scan" => (scanner.Binary, Array.Empty<string>()),
            var other => throw new InvalidOperationException($"hook {hook.Id} runs {other}, which this test does not know"),
        };
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = repository };
        return await ChildProcess.RunAsync(fileName, [.. prefix, .. arguments], repository, variables, [], TimeSpan.FromMinutes(2));
    }

    private static List<Hook> Hooks()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(NativeScanner.RepositoryRoot(), ".pre-commit-hooks.yaml")))
        {
            yaml.Load(reader);
        }

        return [.. ((YamlSequenceNode)yaml.Documents[0].RootNode).Children.Cast<YamlMappingNode>().Select(hook => new Hook(
            Scalar(hook, "id")!,
            Scalar(hook, "entry")!,
            Scalar(hook, "language"),
            Scalar(hook, "pass_filenames") != "false"))];
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private sealed record Hook(string Id, string Entry, string? Language, bool PassFilenames);
}
