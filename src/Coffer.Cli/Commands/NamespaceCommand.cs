using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer namespace create|list|delete</c>: namespaces exist only once created.</summary>
internal static class NamespaceCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("namespace", "Manage namespaces");
        globals.AddTo(command);

        var createName = new Argument<string>("NAME") { Description = "Namespace name (a DNS-1123 label)" };
        var create = new Command("create", "Create a namespace") { createName };
        runner.SetAction(create, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var created = await client.SendAsync(HttpMethod.Post, "/v1/namespaces", new JsonObject { ["name"] = context.Value(createName) }, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(created).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"namespace/{context.Value(createName)} created").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var list = new Command("list", "List the namespaces you can see");
        runner.SetAction(list, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var namespaces = await client.GetAsync("/v1/namespaces", cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(namespaces).ConfigureAwait(false))
            {
                var table = new TableWriter("NAME", "CREATED");
                foreach (var item in namespaces["items"]?.AsArray() ?? [])
                {
                    table.AddRow(Cells.Text(item?["metadata"]?["name"]), Cells.Time(item?["metadata"]?["creationTimestamp"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var deleteName = new Argument<string>("NAME") { Description = "Namespace name" };
        var force = new Option<bool>("--force") { Description = "Also delete every secret, role and binding in it" };
        var delete = new Command("delete", "Delete an empty namespace (or, with --force, everything in it)") { deleteName, force };
        runner.SetAction(delete, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var path = $"/v1/namespaces/{Uri.EscapeDataString(context.Value(deleteName)!)}{(context.Value(force) ? "?force=true" : string.Empty)}";
            var deleted = await client.SendAsync(HttpMethod.Delete, path, (JsonNode?)null, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(deleted).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"namespace/{context.Value(deleteName)} deleted ({Cells.Text(deleted["secretsDeleted"])} secrets with it)").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(delete);
        return command;
    }
}
