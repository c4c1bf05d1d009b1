using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Commands;
using Coffer.Cli.Tests.Hosting;
using Coffer.Scanning.Detection;

namespace Coffer.Cli.Tests;

/// <summary>
/// <c>coffer-scan</c>, the scan compiled ahead of time, published from this checkout: it keeps the whole scan contract
/// and reports exactly what the in-process command reports.
/// </summary>
[Collection(NativeScannerCollection.Name)]
public sealed class ScanProgramTests(NativeScanner scanner) : ScanCommandContract
{
    internal override Task<CliResult> ScanAsync(byte[]? stdin, params string[] args) => scanner.ScanAsync(Cli.Home, stdin, args);

    [Fact]
    public async Task Main_EveryBuiltInRuleSampleAndASecretManifest_SameFindingsAsInProcessScan()
    {
        var files = RuleSet.Default.Rules.Select(rule => ($"{rule.Id}.txt", $"{rule.TruePositive}\n{rule.FalsePositive}\n")).ToList();
        files.Add(("secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ndata:\n  token: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Token))}\n"));
        var folder = Folder([.. files]);

        var native = await ScanAsync(folder, "-o", "json", "--show-secrets");
        var inProcess = await Cli.RunAsync("scan", folder, "-o", "json", "--show-secrets");

        Assert.Equal(CliExitCode.Error, native.ExitCode);
        Assert.True(JsonNode.Parse(native.Output)!.AsArray().Count > RuleSet.Default.Rules.Count, native.ToString());
        Assert.Equal(inProcess.Output, native.Output);
        Assert.Equal(inProcess.Error, native.Error);
    }

    [Fact]
    public async Task Main_OptionOfTheWrongType_Exit2WithAHintNamingCofferScan()
    {
        var result = await ScanAsync(Cli.Home, "--max-file-size", "lots");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("lots", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'coffer-scan --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Help_ListsTheScanOptions()
    {
        var result = await ScanAsync("--help");

        Assert.Equal(CliExitCode.Ok, result.ExitCode);
        Assert.Contains("coffer-scan [<PATH>...] [options]", result.Output, StringComparison.Ordinal);
        Assert.Contains("--staged", result.Output, StringComparison.Ordinal);
    }
}
