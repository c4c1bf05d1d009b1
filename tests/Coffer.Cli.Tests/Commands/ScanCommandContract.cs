using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>
/// What <c>coffer scan</c> does without a server (files, stdin, config, baseline, formats, exit codes), run against both
/// the in-process command (<see cref="ScanCommandTests"/>) and the natively compiled <c>coffer-scan</c> (<see cref="ScanProgramTests"/>).
/// </summary>
public abstract class ScanCommandContract : IDisposable
{
    protected const string Token = "ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4";

    private readonly CliSession cli = new();

    internal CliSession Cli => cli;

    public void Dispose()
    {
        cli.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs the scan with <paramref name="args"/> (those after <c>coffer scan</c>) and, when not null, <paramref name="stdin"/> as standard input.</summary>
    internal abstract Task<CliResult> ScanAsync(byte[]? stdin, params string[] args);

    internal Task<CliResult> ScanAsync(params string[] args) => ScanAsync(null, args);

    protected string Folder(params (string Name, string Content)[] files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(cli.Home, "repo")).FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), content);
        }

        return folder;
    }

    [Fact]
    public async Task Scan_CleanFolder_Exit0()
    {
        var folder = Folder(("readme.md", "nothing secret\n"));

        var result = await ScanAsync(folder);

        Assert.Equal(CliExitCode.Ok, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("0 secrets found in 1 files", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_SecretInFile_Exit1TableMasked()
    {
        var folder = Folder(("app.env", $"A=1\nGITHUB_TOKEN={Token}\n"));

        var result = await ScanAsync(folder);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Contains("github-pat", result.Output, StringComparison.Ordinal);
        Assert.Contains($"{folder}/app.env:2:14", result.Output, StringComparison.Ordinal);
        Assert.Contains("ghp_****", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_ShowSecrets_FullSecretPrinted()
    {
        var folder = Folder(("app.env", $"GITHUB_TOKEN={Token}\n"));

        var result = await ScanAsync(folder, "--show-secrets");

        Assert.Contains(Token, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_JsonOutput_ParsesWithMaskedSecret()
    {
        var folder = Folder(("app.env", $"GITHUB_TOKEN={Token}\n"));

        var result = await ScanAsync(folder, "-o", "json");

        var finding = Assert.Single(JsonNode.Parse(result.Output)!.AsArray())!;
        Assert.Equal("github-pat", finding["ruleId"]!.GetValue<string>());
        Assert.Equal("ghp_****", finding["secret"]!.GetValue<string>());
        Assert.Equal(CliExitCode.Error, result.ExitCode);
    }

    [Fact]
    public async Task Scan_SarifOutput_HasVersionAndResult()
    {
        var folder = Folder(("app.env", $"GITHUB_TOKEN={Token}\n"));

        var result = await ScanAsync(folder, "-o", "sarif");

        var log = JsonNode.Parse(result.Output)!;
        Assert.Equal("2.1.0", log["version"]!.GetValue<string>());
        Assert.Equal("github-pat", log["runs"]![0]!["results"]![0]!["ruleId"]!.GetValue<string>());
        Assert.DoesNotContain(Token, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Stdin_FindsSecretReportedAsDash()
    {
        var result = await ScanAsync(Encoding.UTF8.GetBytes("STRIPE=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU\n"), "-");

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Contains("-:1:8", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_MissingPath_Exit2()
    {
        var result = await ScanAsync(Path.Combine(cli.Home, "missing"));

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.StartsWith("error: path ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_UnknownOutputFormat_Exit2()
    {
        var result = await ScanAsync(cli.Home, "-o", "xml");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("sarif", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_MalformedTomlConfig_Exit2ClearError()
    {
        var folder = Folder(("app.env", "A=1\n"));
        var config = cli.TempFile("bad.toml", "[[rules]\nid = \"x");

        var result = await ScanAsync(folder, "--config", config);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.StartsWith($"error: config {config} is not valid TOML", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_ConfigInvalidRegex_Exit2NamesRule()
    {
        var folder = Folder(("app.env", "A=1\n"));
        var config = cli.TempFile("bad.toml", "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n");

        var result = await ScanAsync(folder, "--config", config);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("rule broken has an invalid regex", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_DefaultConfigInScannedFolder_CustomRuleUsed()
    {
        var folder = Folder(
            (".coffer-scan.toml", "[extend]\nuseDefault = true\n[[rules]]\nid = \"acme\"\nregex = '''acme_([a-z0-9]{12})'''\nkeywords = [\"acme_\"]\n[allowlist]\npaths = ['''fixtures''']\n"),
            ("app.txt", "key acme_k3j5h7g9f1d3\n"),
            ("fixtures.env", $"TOKEN={Token}\n"));

        var result = await ScanAsync(folder, "-o", "json");

        var finding = Assert.Single(JsonNode.Parse(result.Output)!.AsArray())!;
        Assert.Equal("acme", finding["ruleId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scan_WriteThenUseBaseline_ExistingSuppressedNewReported()
    {
        var folder = Folder(("app.env", $"GITHUB_TOKEN={Token}\n"));
        var baseline = Path.Combine(cli.Home, "baseline.json");

        var written = await ScanAsync(folder, "--write-baseline", baseline);
        File.WriteAllText(Path.Combine(folder, "app.env"), $"\n# moved\nGITHUB_TOKEN={Token}\n");
        var quiet = await ScanAsync(folder, "--baseline", baseline);
        File.AppendAllText(Path.Combine(folder, "app.env"), "STRIPE=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU\n");
        var loud = await ScanAsync(folder, "--baseline", baseline);

        Assert.Equal(CliExitCode.Ok, written.ExitCode);
        Assert.Equal(CliExitCode.Ok, quiet.ExitCode);
        Assert.Contains("1 in the baseline", quiet.Error, StringComparison.Ordinal);
        Assert.Equal(CliExitCode.Error, loud.ExitCode);
        Assert.Contains("stripe-live-secret-key", loud.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("github-pat", loud.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Staged_OnlyAddedLinesOfIndex()
    {
        var folder = Folder(("committed.env", $"OLD={Token}\n"));
        await ChildProcess.GitAsync(folder, "init", "-q");
        await ChildProcess.GitAsync(folder, "add", "committed.env");
        await ChildProcess.GitAsync(folder, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "old");
        File.WriteAllText(Path.Combine(folder, "new.env"), "A=1\nSTRIPE=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU\n");
        File.WriteAllText(Path.Combine(folder, "unstaged.env"), $"NEW={Token}\n");
        await ChildProcess.GitAsync(folder, "add", "new.env");

        var result = await ScanAsync("--staged", folder, "-o", "json");

        var finding = Assert.Single(JsonNode.Parse(result.Output)!.AsArray())!;
        Assert.Equal("new.env", finding["path"]!.GetValue<string>());
        Assert.Equal(2, finding["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scan_History_SecretRemovedLaterStillFoundWithCommit()
    {
        var folder = Folder(("app.env", $"GITHUB_TOKEN={Token}\n"));
        await ChildProcess.GitAsync(folder, "init", "-q");
        await ChildProcess.GitAsync(folder, "add", "app.env");
        await ChildProcess.GitAsync(folder, "-c", "user.name=Ada", "-c", "user.email=ada@example.invalid", "commit", "-qm", "add");
        File.WriteAllText(Path.Combine(folder, "app.env"), "GITHUB_TOKEN=\n");
        await ChildProcess.GitAsync(folder, "-c", "user.name=Bob", "-c", "user.email=bob@example.invalid", "commit", "-qam", "remove");

        var history = await ScanAsync("--history", folder, "-o", "json");
        var table = await ScanAsync("--history", folder);
        var plain = await ScanAsync(folder);

        Assert.Equal(CliExitCode.Error, history.ExitCode);
        var finding = Assert.Single(JsonNode.Parse(history.Output)!.AsArray())!;
        Assert.Equal("app.env", finding["path"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{40}$", finding["commit"]!.GetValue<string>());
        Assert.Equal("Ada <ada@example.invalid>", finding["author"]!.GetValue<string>());
        Assert.Contains("COMMIT", table.Output, StringComparison.Ordinal);
        Assert.Contains("Ada", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, history.Output + table.Output, StringComparison.Ordinal);
        Assert.Equal(CliExitCode.Ok, plain.ExitCode);
    }

    [Fact]
    public async Task Scan_HistoryOutsideRepository_Exit2()
    {
        var folder = Folder(("readme.md", "x\n"));

        var result = await ScanAsync("--history", folder);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("git log failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_HistoryAndStaged_Exit2()
    {
        var result = await ScanAsync("--history", "--staged", cli.Home);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
    }
}
