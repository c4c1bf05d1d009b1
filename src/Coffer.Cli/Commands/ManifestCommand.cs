using System.CommandLine;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer apply -f</c> and <c>coffer delete -f</c>: RBAC YAML, all documents of a file or none.</summary>
internal static class ManifestCommand
{
    public static Command Create(CommandRunner runner, string name, string description, string path)
    {
        var globals = new GlobalOptions();
        var file = new Option<string>("--filename", "-f") { Description = "YAML file of Role, ClusterRole, RoleBinding and ClusterRoleBinding documents ('-' for standard input)", Required = true };
        var command = new Command(name, description) { file };
        globals.AddTo(command);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var source = context.Value(file)!;
            var yaml = source == "-"
                ? await new StreamReader(context.Environment.Input).ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(source, cancellationToken).ConfigureAwait(false);
            using var client = context.CreateClient();
            var result = await client.SendAsync(HttpMethod.Post, path, yaml, "application/yaml", null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                foreach (var item in result["items"]?.AsArray() ?? [])
                {
                    var where = item?["namespace"] is { } ns ? $" (namespace {Cells.Text(ns)})" : string.Empty;
                    await context.Output.WriteLineAsync($"{Cells.Text(item?["kind"]).ToLowerInvariant()}/{Cells.Text(item?["name"])}{where} {Cells.Text(item?["outcome"])}").ConfigureAwait(false);
                }
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
