using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Input;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer secret ...</c>: read, list and change secrets.</summary>
internal static class SecretCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("secret", "Manage secrets");
        globals.AddTo(command);
        command.Subcommands.Add(SecretPutCommand.Create(runner, globals));
        command.Subcommands.Add(Get(runner, globals));
        command.Subcommands.Add(List(runner, globals));
        command.Subcommands.Add(History(runner, globals));
        command.Subcommands.Add(Rollback(runner, globals));
        command.Subcommands.Add(Change(runner, globals, "delete", "Delete a secret, or only the given versions (undelete brings them back)", HttpMethod.Delete, string.Empty, "deleted", required: false));
        command.Subcommands.Add(Change(runner, globals, "undelete", "Bring back a deleted secret, or the given deleted versions", HttpMethod.Post, "/undelete", "undeleted", required: false));
        command.Subcommands.Add(Change(runner, globals, "destroy", "Erase the data of the given versions for good", HttpMethod.Post, "/destroy", "destroyed", required: true));
        command.Subcommands.Add(Metadata(runner, globals, "label", "labels", "labeled"));
        command.Subcommands.Add(Metadata(runner, globals, "annotate", "annotations", "annotated"));
        return command;
    }

    private static Command Get(CommandRunner runner, GlobalOptions globals)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var version = new Option<long?>("--version") { Description = "Version to read (default: current)" };
        var show = new Option<bool>("--show") { Description = "Print the values in the table" };
        var command = new Command("get", "Show a secret; values only with --show or -o json|yaml") { name, version, show };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var query = context.Value(version) is { } v ? $"?version={v.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
            using var client = context.CreateClient();
            var secret = await client.GetAsync(CofferClient.SecretPath(context.Namespace, context.Value(name)!) + query, cancellationToken).ConfigureAwait(false);
            if (await context.WriteStructuredAsync(secret).ConfigureAwait(false))
            {
                return CliExitCode.Ok;
            }

            var data = secret["data"] as JsonObject ?? [];
            var summary = new TableWriter("NAME", "TYPE", "VERSION", "CURRENT", "KEYS", "LABELS");
            summary.AddRow(
                Cells.Text(secret["metadata"]?["name"]),
                Cells.Text(secret["type"]),
                Cells.Text(secret["metadata"]?["version"]),
                Cells.Text(secret["metadata"]?["currentVersion"]),
                data.Count.ToString(CultureInfo.InvariantCulture),
                Cells.Pairs(secret["metadata"]?["labels"]));
            await summary.WriteAsync(context.Output).ConfigureAwait(false);
            await context.Output.WriteLineAsync().ConfigureAwait(false);

            var showValues = context.Value(show);
            var keys = showValues ? new TableWriter("KEY", "SIZE", "VALUE") : new TableWriter("KEY", "SIZE");
            foreach (var (key, encoded) in data)
            {
                var bytes = Convert.FromBase64String(Cells.Text(encoded));
                keys.AddRow(showValues ? [key, Cells.Size(bytes.Length), Cells.Value(bytes)] : [key, Cells.Size(bytes.Length)]);
            }

            await keys.WriteAsync(context.Output).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner, GlobalOptions globals)
    {
        var selector = new Option<string?>("--selector", "-l") { Description = "Label selector, e.g. app=web,tier!=db" };
        var includeDeleted = new Option<bool>("--include-deleted") { Description = "Also list deleted secrets" };
        var limit = new Option<int?>("--limit") { Description = "Page size asked of the server (all pages are fetched)" };
        var command = new Command("list", "List the secrets of a namespace") { selector, includeDeleted, limit };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var items = new JsonArray();
            string? apiVersion = null;
            string? next = null;
            using var client = context.CreateClient();
            do
            {
                var query = new List<string>();
                if (context.Value(selector) is { } s)
                {
                    query.Add($"labelSelector={Uri.EscapeDataString(s)}");
                }

                if (context.Value(includeDeleted))
                {
                    query.Add("includeDeleted=true");
                }

                if (context.Value(limit) is { } l)
                {
                    query.Add($"limit={l.ToString(CultureInfo.InvariantCulture)}");
                }

                if (next is not null)
                {
                    query.Add($"continue={Uri.EscapeDataString(next)}");
                }

                var path = CofferClient.SecretsPath(context.Namespace) + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
                var page = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
                apiVersion ??= (string?)page["apiVersion"];
                foreach (var item in page["items"] as JsonArray ?? [])
                {
                    items.Add(item?.DeepClone());
                }

                next = (string?)page["metadata"]?["continue"];
            }
            while (next is not null);

            var list = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "SecretList", ["metadata"] = new JsonObject(), ["items"] = items };
            if (await context.WriteStructuredAsync(list).ConfigureAwait(false))
            {
                return CliExitCode.Ok;
            }

            if (items.Count == 0)
            {
                await context.Error.WriteLineAsync($"No secrets found in namespace {context.Namespace}.").ConfigureAwait(false);
                return CliExitCode.Ok;
            }

            var table = new TableWriter("NAME", "TYPE", "VERSION", "LABELS", "UPDATED", "DELETED");
            foreach (var item in items)
            {
                table.AddRow(
                    Cells.Text(item?["metadata"]?["name"]),
                    Cells.Text(item?["type"]),
                    Cells.Text(item?["metadata"]?["currentVersion"]),
                    Cells.Pairs(item?["metadata"]?["labels"]),
                    Cells.Time(item?["metadata"]?["updatedAt"]),
                    Cells.Time(item?["metadata"]?["deletedAt"]));
            }

            await table.WriteAsync(context.Output).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command History(CommandRunner runner, GlobalOptions globals)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var command = new Command("history", "List the versions of a secret") { name };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var history = await client.GetAsync(CofferClient.SecretPath(context.Namespace, context.Value(name)!, "/versions"), cancellationToken).ConfigureAwait(false);
            if (await context.WriteStructuredAsync(history).ConfigureAwait(false))
            {
                return CliExitCode.Ok;
            }

            var current = Cells.Text(history["currentVersion"]);
            var table = new TableWriter("VERSION", "STATE", "CREATED", "CREATED-BY", "CURRENT");
            foreach (var item in history["items"] as JsonArray ?? [])
            {
                var version = Cells.Text(item?["version"]);
                table.AddRow(version, Cells.Text(item?["state"]), Cells.Time(item?["createdAt"]), Cells.Text(item?["createdBy"]), version == current ? "*" : string.Empty);
            }

            await table.WriteAsync(context.Output).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Rollback(CommandRunner runner, GlobalOptions globals)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var version = new Argument<long>("VERSION") { Description = "Version whose data becomes the new current version" };
        var command = new Command("rollback", "Write an old version's data as a new version") { name, version };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var secretName = context.Value(name)!;
            var target = context.Value(version);
            using var client = context.CreateClient();
            var result = await client.SendAsync(HttpMethod.Post, CofferClient.SecretPath(context.Namespace, secretName, "/rollback"), new JsonObject { ["version"] = target }, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"secret/{secretName} rolled back to version {target.ToString(CultureInfo.InvariantCulture)} (now version {Cells.Text(result["metadata"]?["currentVersion"])})").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Change(CommandRunner runner, GlobalOptions globals, string verb, string description, HttpMethod method, string suffix, string done, bool required)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var versions = new Option<long[]>("--version") { Description = "Version to act on (repeatable)", Required = required };
        var command = new Command(verb, description) { name, versions };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var secretName = context.Value(name)!;
            var chosen = context.Value(versions) ?? [];
            using var client = context.CreateClient();
            var result = await client.SendAsync(method, CofferClient.SecretPath(context.Namespace, secretName, suffix) + CofferClient.VersionsQuery(chosen), null, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                var which = chosen.Length == 0 ? string.Empty : $" version {string.Join(',', chosen.Select(v => v.ToString(CultureInfo.InvariantCulture)))}";
                await context.Output.WriteLineAsync($"secret/{secretName}{which} {done}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Metadata(CommandRunner runner, GlobalOptions globals, string verb, string field, string done)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var changes = new Argument<string[]>("CHANGES") { Description = "KEY=VALUE sets, KEY- removes", Arity = ArgumentArity.OneOrMore };
        var command = new Command(verb, $"Set or remove {field} (KEY=VALUE sets, KEY- removes) without a new version") { name, changes };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var secretName = context.Value(name)!;
            var map = new JsonObject();
            foreach (var change in context.Value(changes) ?? [])
            {
                var (key, value) = KeyValueArgument.MetadataChange(change);
                map[key] = value;
            }

            using var client = context.CreateClient();
            var result = await client.SendAsync(HttpMethod.Patch, CofferClient.SecretPath(context.Namespace, secretName, "/metadata"), new JsonObject { [field] = map }, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"secret/{secretName} {done}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
