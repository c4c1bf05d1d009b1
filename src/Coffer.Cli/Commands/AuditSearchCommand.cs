using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer audit search FILE...</c>: the entries about a user, secret, namespace, verb or decision, in a time range.</summary>
internal static class AuditSearchCommand
{
    public static Command Create(CommandRunner runner, GlobalOptions globals)
    {
        var files = new Argument<string[]>("FILE") { Description = "Audit log files", Arity = ArgumentArity.OneOrMore };
        var user = new Option<string?>("--user") { Description = "Entries of this user" };
        var secret = new Option<string?>("--secret") { Description = "Entries about this secret name" };
        var ns = new Option<string?>("--in-namespace") { Description = "Entries about this namespace" };
        var verb = new Option<string?>("--verb") { Description = "RBAC verb (get, list, update, ...)" };
        var decision = new Option<string?>("--decision") { Description = "allow or deny" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "From this time (ISO 8601)" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Up to this time (ISO 8601)" };
        var command = new Command("search", "Find audit entries (completed requests) by user, secret, namespace, verb, decision and time") { files, user, secret, ns, verb, decision, since, until };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var found = new JsonArray();
            foreach (var file in context.Value(files)!)
            {
                await foreach (var line in File.ReadLinesAsync(file, cancellationToken).ConfigureAwait(false))
                {
                    if (line.Length == 0 || JsonNode.Parse(line)?["entry"] is not JsonObject entry || (string?)entry["stage"] != "ResponseComplete")
                    {
                        continue;
                    }

                    var time = entry["time"]?.GetValue<DateTimeOffset>();
                    if (Matches(entry["user"], context.Value(user)) && Matches(entry["name"], context.Value(secret)) && Matches(entry["namespace"], context.Value(ns))
                        && Matches(entry["verb"], context.Value(verb)) && Matches(entry["decision"], context.Value(decision))
                        && (context.Value(since) is not { } from || time >= from) && (context.Value(until) is not { } to || time <= to))
                    {
                        found.Add(entry.DeepClone());
                    }
                }
            }

            if (!await context.WriteStructuredAsync(found).ConfigureAwait(false))
            {
                var table = new TableWriter("TIME", "USER", "METHOD", "PATH", "VERB", "DECISION", "STATUS", "REASON");
                foreach (var entry in found)
                {
                    table.AddRow(
                        entry!["time"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture),
                        Cells.Text(entry["user"]),
                        Cells.Text(entry["method"]),
                        Cells.Text(entry["path"]),
                        Cells.Text(entry["verb"]),
                        Cells.Text(entry["decision"]),
                        Cells.Text(entry["status"]),
                        Cells.Text(entry["reason"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static bool Matches(JsonNode? value, string? wanted) => wanted is null || (value is JsonValue v && v.ToString() == wanted);
}
