using System.CommandLine;
using Coffer.Cli.Output;
using Coffer.Scanning;
using Coffer.Scanning.Baselines;
using Coffer.Scanning.Configuration;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Reporting;
using Coffer.Scanning.Sources;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer scan</c>: finds committed secrets in files, standard input or staged changes; exit 1 when any is found.</summary>
internal static class ScanCommand
{
    public const string Description = "Find secrets in files, standard input, staged changes or git history";

    public static Command Create(CliEnvironment environment, TextWriter output, TextWriter error) =>
        Configure(new Command("scan", Description), environment, output, error);

    /// <summary>Gives <paramref name="command"/> the scan's arguments, options and action: the <c>scan</c> subcommand, or <c>coffer-scan</c>'s root.</summary>
    public static T Configure<T>(T command, CliEnvironment environment, TextWriter output, TextWriter error)
        where T : Command
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or folders to scan ('-' for standard input; default: the current folder)", Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--output", "-o") { Description = "Output format: table, json or sarif", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "sarif");
        var config = new Option<string?>("--config") { Description = "gitleaks-compatible TOML rules and allowlists (default: .coffer-scan.toml or .gitleaks.toml if present)" };
        var baseline = new Option<string?>("--baseline") { Description = "Ignore the findings recorded in this baseline file" };
        var writeBaseline = new Option<string?>("--write-baseline") { Description = "Record every finding in this baseline file and exit 0" };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Print secrets in full instead of masked" };
        var staged = new Option<bool>("--staged") { Description = "Scan the lines added in the git index (for pre-commit hooks)" };
        var history = new Option<bool>("--history") { Description = "Scan the lines added by every commit of the git repository, naming the commit" };
        var maxFileSize = new Option<long>("--max-file-size") { Description = "Skip files larger than this many bytes", DefaultValueFactory = _ => 10 * 1024 * 1024 };
        foreach (var option in new Option[] { format, config, baseline, writeBaseline, showSecrets, staged, history, maxFileSize })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(paths);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var targets = parse.GetValue(paths) ?? [];
                var ruleSet = await LoadRulesAsync(parse.GetValue(config), targets, cancellationToken).ConfigureAwait(false);
                var options = new ScanOptions
                {
                    RuleSet = ruleSet,
                    MaxFileBytes = parse.GetValue(maxFileSize),
                    Baseline = parse.GetValue(baseline) is { } baselinePath ? await BaselineFile.ReadAsync(baselinePath, cancellationToken).ConfigureAwait(false) : new HashSet<string>(),
                };
                if (parse.GetValue(staged) && parse.GetValue(history))
                {
                    await error.WriteLineAsync("error: --staged and --history cannot be combined").ConfigureAwait(false);
                    return CliExitCode.Usage;
                }

                var mode = parse.GetValue(history) ? GitMode.History : parse.GetValue(staged) ? GitMode.Staged : GitMode.None;
                var result = await RunAsync(new Scanner(options), targets, mode, environment, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(writeBaseline) is { } writePath)
                {
                    await BaselineFile.WriteAsync(writePath, result.Findings, cancellationToken).ConfigureAwait(false);
                    await error.WriteLineAsync($"baseline {writePath} written with {result.Findings.Count} findings").ConfigureAwait(false);
                    return CliExitCode.Ok;
                }

                await WriteAsync(output, error, parse.GetValue(format) ?? "table", result, ruleSet, parse.GetValue(showSecrets)).ConfigureAwait(false);
                return result.Findings.Count > 0 ? CliExitCode.Error : CliExitCode.Ok;
            }
            catch (Exception e) when (e is ScanConfigException or FileNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.Usage;
            }
        });
        return command;
    }

    private static async Task<RuleSet> LoadRulesAsync(string? configPath, string[] targets, CancellationToken cancellationToken)
    {
        if (configPath is not null)
        {
            return await ScanConfigLoader.LoadFileAsync(configPath, cancellationToken).ConfigureAwait(false);
        }

        // The scanned folder's own config wins over the current folder's, as with gitleaks' --source.
        var folders = targets.Where(Directory.Exists).Take(1).Append(Directory.GetCurrentDirectory());
        var found = folders.SelectMany(folder => ScanConfigLoader.DefaultFileNames.Select(name => Path.Combine(folder, name))).FirstOrDefault(File.Exists);
        return found is null ? RuleSet.Default : await ScanConfigLoader.LoadFileAsync(found, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ScanResult> RunAsync(Scanner scanner, string[] targets, GitMode mode, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (mode == GitMode.History)
        {
            return await scanner.ScanLinesAsync(GitHistory.ReadAsync(targets.FirstOrDefault(Directory.Exists) ?? Directory.GetCurrentDirectory(), cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        if (mode == GitMode.Staged)
        {
            var lines = await StagedChanges.ReadAsync(targets.FirstOrDefault(Directory.Exists) ?? Directory.GetCurrentDirectory(), cancellationToken).ConfigureAwait(false);
            return scanner.ScanLines(lines);
        }

        var files = targets.Where(t => t != "-").ToList();
        var results = new List<ScanResult>();
        if (targets.Contains("-"))
        {
            results.Add(await scanner.ScanStreamAsync("-", environment.Input, cancellationToken).ConfigureAwait(false));
        }

        if (files.Count > 0 || targets.Length == 0)
        {
            results.Add(await scanner.ScanPathsAsync(files.Count > 0 ? files : ["."], cancellationToken).ConfigureAwait(false));
        }

        return new ScanResult([.. results.SelectMany(r => r.Findings)], results.Sum(r => r.FilesScanned), results.Sum(r => r.FilesSkipped), results.Sum(r => r.Suppressed));
    }

    private static async Task WriteAsync(TextWriter output, TextWriter error, string format, ScanResult result, RuleSet ruleSet, bool showSecrets)
    {
        switch (format)
        {
            case "json":
                await output.WriteLineAsync(JsonReport.Render(result.Findings, showSecrets)).ConfigureAwait(false);
                return;
            case "sarif":
                await output.WriteLineAsync(SarifReport.Render(result.Findings, ruleSet.Rules)).ConfigureAwait(false);
                return;
        }

        if (result.Findings.Any(f => f.Commit is not null))
        {
            var table = new TableWriter("RULE", "COMMIT", "AUTHOR", "DATE", "LOCATION", "SECRET");
            foreach (var finding in result.Findings)
            {
                var commit = finding.Commit;
                table.AddRow(finding.RuleId, commit?.Id[..Math.Min(12, commit.Id.Length)] ?? "-", commit?.Author ?? "-",
                    commit?.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    $"{finding.Path}:{finding.Line}:{finding.Column}", showSecrets ? finding.Secret : finding.MaskedSecret);
            }

            await table.WriteAsync(output).ConfigureAwait(false);
        }
        else if (result.Findings.Count > 0)
        {
            var table = new TableWriter("RULE", "LOCATION", "SECRET");
            foreach (var finding in result.Findings)
            {
                table.AddRow(finding.RuleId, $"{finding.Path}:{finding.Line}:{finding.Column}", showSecrets ? finding.Secret : finding.MaskedSecret);
            }

            await table.WriteAsync(output).ConfigureAwait(false);
        }

        // The summary follows the table on a terminal also when standard output is buffered (coffer-scan's is).
        await output.FlushAsync().ConfigureAwait(false);
        var suppressed = result.Suppressed > 0 ? $", {result.Suppressed} in the baseline" : string.Empty;
        await error.WriteLineAsync($"{result.Findings.Count} secrets found in {result.FilesScanned} files ({result.FilesSkipped} skipped as binary or too large{suppressed})").ConfigureAwait(false);
    }

    private enum GitMode
    {
        None,
        Staged,
        History,
    }
}
