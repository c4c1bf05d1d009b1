using System.CommandLine;
using System.Text.RegularExpressions;
using Coffer.Cli.Output;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Reporting;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer lint</c>: checks Kubernetes manifests against Coffer's secret practices; exit 1 when any check fails, as <c>coffer scan</c> does.</summary>
internal static class LintCommand
{
    public static Command Create(CliEnvironment environment, TextWriter output, TextWriter error)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Manifest files or folders (*.yaml, *.yml, *.json; '-' for standard input such as `helm template` output; default: the current folder)", Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--output", "-o") { Description = "Output format: table, json or sarif", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "sarif");
        var namePattern = new Option<string>("--secret-name-pattern") { Description = "Regex Secret names must match (default: <app>-<kind>-v<version>)", DefaultValueFactory = _ => LintOptions.DefaultSecretNamePattern };
        var command = new Command("lint", "Check Kubernetes manifests for unsafe handling of secrets") { paths, format, namePattern };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var options = new LintOptions { SecretNamePattern = new Regex(parse.GetValue(namePattern) ?? LintOptions.DefaultSecretNamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) };
                var targets = parse.GetValue(paths) ?? [];
                var sources = new List<ManifestSource>();
                if (targets.Contains("-"))
                {
                    sources.Add(await ManifestSources.ReadStreamAsync("-", environment.Input, cancellationToken).ConfigureAwait(false));
                }

                var files = targets.Where(t => t != "-").ToList();
                if (files.Count > 0 || targets.Length == 0)
                {
                    sources.AddRange(await ManifestSources.ReadPathsAsync(files.Count > 0 ? files : ["."], cancellationToken).ConfigureAwait(false));
                }

                var findings = new ManifestLinter(options).Lint(sources);
                await WriteAsync(output, error, parse.GetValue(format) ?? "table", findings, sources.Count).ConfigureAwait(false);
                return findings.Count > 0 ? CliExitCode.Error : CliExitCode.Ok;
            }
            catch (Exception e) when (e is ManifestParseException or ArgumentException or FileNotFoundException or IOException or UnauthorizedAccessException)
            {
                // ArgumentException is an invalid --secret-name-pattern; the message is .NET's description of the regex error.
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.Usage;
            }
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter output, TextWriter error, string format, IReadOnlyList<LintFinding> findings, int files)
    {
        switch (format)
        {
            case "json":
                await output.WriteLineAsync(JsonReport.Render(findings)).ConfigureAwait(false);
                return;
            case "sarif":
                await output.WriteLineAsync(SarifReport.Render(findings)).ConfigureAwait(false);
                return;
        }

        if (findings.Count > 0)
        {
            var table = new TableWriter("CHECK", "SEVERITY", "LOCATION", "MESSAGE");
            foreach (var finding in findings)
            {
                table.AddRow(finding.Check.Id, finding.Check.Severity.ToString().ToLowerInvariant(), $"{finding.Path}:{finding.Line}:{finding.Column}", finding.Message);
            }

            await table.WriteAsync(output).ConfigureAwait(false);
        }

        await error.WriteLineAsync($"{findings.Count} findings in {files} files; fixes: docs/lint.md or -o json").ConfigureAwait(false);
    }
}
