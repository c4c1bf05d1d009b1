using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer rotation status|show|set|unset|policy</c>: rotation policies and where every secret stands.</summary>
internal static class RotationCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("rotation", "Rotation policies and status");
        globals.AddTo(command);

        var allNamespaces = new Option<bool>("--all-namespaces", "-A") { Description = "Every namespace you can see" };
        var status = new Command("status", "Every secret with its age, due date and state, overdue first") { allNamespaces };
        runner.SetAction(status, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var namespaces = context.Value(allNamespaces)
                ? (await client.GetAsync("/v1/namespaces", cancellationToken).ConfigureAwait(false))["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToList()
                : [context.Namespace];
            var items = new List<JsonNode>();
            foreach (var ns in namespaces)
            {
                var list = await client.GetAsync(NamespacedName.Path(ns, "/rotation"), cancellationToken).ConfigureAwait(false);
                items.AddRange(list["items"]!.AsArray().Select(i => i!.DeepClone()));
            }

            // Overdue first across namespaces too: the server's order is by due date.
            var ordered = items.OrderBy(i => (string)i["dueAt"]!, StringComparer.Ordinal).ThenBy(i => (string)i["namespace"]!, StringComparer.Ordinal).ThenBy(i => (string)i["name"]!, StringComparer.Ordinal).ToList();
            var document = new JsonObject
            {
                ["apiVersion"] = "coffer.dev/v1",
                ["kind"] = "RotationStatusList",
                ["overdue"] = ordered.Count(i => (string?)i["state"] == "Overdue"),
                ["items"] = new JsonArray([.. ordered]),
            };
            if (!await context.WriteStructuredAsync(document).ConfigureAwait(false))
            {
                var table = new TableWriter("NAMESPACE", "NAME", "AGE", "PERIOD", "DUE", "STATE", "SCHEDULED");
                foreach (var item in ordered)
                {
                    table.AddRow(Cells.Text(item["namespace"]), Cells.Text(item["name"]), Cells.Text(item["age"]), Cells.Text(item["period"]), Cells.Time(item["dueAt"]), Cells.Text(item["state"]), (bool)item["scheduled"]! ? "yes" : "no");
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var showTarget = new Argument<string>("NAMESPACE/NAME") { Description = "The secret" };
        var show = new Command("show", "A secret's rotation policy, due date and latest rotation") { showTarget };
        runner.SetAction(show, globals, async (context, cancellationToken) =>
        {
            var (ns, name) = NamespacedName.Parse(context.Value(showTarget)!, context.Namespace);
            using var client = context.CreateClient();
            var rotation = await client.GetAsync(NamespacedName.Path(ns, $"/rotation/secrets/{Uri.EscapeDataString(name)}"), cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(rotation).ConfigureAwait(false))
            {
                var table = new TableWriter("FIELD", "VALUE");
                foreach (var field in new[] { "currentVersion", "period", "dueAt", "dueState", "status", "lastStep", "error", "pendingVersion", "previousVersion", "revokePreviousAt" })
                {
                    table.AddRow(field, Cells.Text(rotation[field]));
                }

                table.AddRow("rotator", Cells.Text(rotation["policy"]?["rotator"]));
                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var setTarget = new Argument<string>("NAMESPACE/NAME") { Description = "The secret" };
        var setFile = new Option<string>("--file", "-f") { Description = "The RotationPolicy as JSON", Required = true };
        var set = new Command("set", "Set a secret's rotation policy") { setTarget, setFile };
        runner.SetAction(set, globals, async (context, cancellationToken) =>
        {
            var (ns, name) = NamespacedName.Parse(context.Value(setTarget)!, context.Namespace);
            var body = await File.ReadAllTextAsync(context.Value(setFile)!, cancellationToken).ConfigureAwait(false);
            using var client = context.CreateClient();
            var rotation = await client.SendAsync(HttpMethod.Put, NamespacedName.Path(ns, $"/rotation/secrets/{Uri.EscapeDataString(name)}"), body, "application/json", null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(rotation).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"rotation policy of {ns}/{name} set: every {Cells.Text(rotation["period"])}, next due {Cells.Time(rotation["dueAt"])}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var policyNamespace = new Argument<string>("NAMESPACE") { Description = "The namespace" };
        var policyFile = new Option<string>("--file", "-f") { Description = "The NamespacePolicy as JSON (default period, due-soon webhook, naming rules)", Required = true };
        var policy = new Command("policy", "Set a namespace's rotation defaults and naming policy") { policyNamespace, policyFile };
        runner.SetAction(policy, globals, async (context, cancellationToken) =>
        {
            var ns = context.Value(policyNamespace)!;
            var body = await File.ReadAllTextAsync(context.Value(policyFile)!, cancellationToken).ConfigureAwait(false);
            using var client = context.CreateClient();
            var stored = await client.SendAsync(HttpMethod.Put, NamespacedName.Path(ns, "/rotation/policy"), body, "application/json", null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(stored).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"namespace policy of {ns} set").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        command.Subcommands.Add(status);
        command.Subcommands.Add(show);
        command.Subcommands.Add(set);
        command.Subcommands.Add(policy);
        return command;
    }
}
