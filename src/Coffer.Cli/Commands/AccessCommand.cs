using System.CommandLine;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer access who-can|review</c>: who holds what, and what is risky about it.</summary>
internal static class AccessCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("access", "Review who can do what");
        globals.AddTo(command);

        var verb = new Argument<string>("VERB") { Description = "e.g. get" };
        var resource = new Argument<string>("RESOURCE") { Description = "RESOURCE or RESOURCE/NAME, e.g. secrets/api-keys" };
        var whoCan = new Command("who-can", "Every subject that can, and through which binding and role") { verb, resource };
        runner.SetAction(whoCan, globals, async (context, cancellationToken) =>
        {
            var (resourceName, name) = AccessTarget.Split(context.Value(resource)!);
            var query = $"?verb={Uri.EscapeDataString(context.Value(verb)!)}&resource={Uri.EscapeDataString(resourceName)}&namespace={Uri.EscapeDataString(context.Namespace)}"
                + (name is null ? string.Empty : $"&name={Uri.EscapeDataString(name)}");
            using var client = context.CreateClient();
            var answer = await client.GetAsync("/v1/access/who-can" + query, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(answer).ConfigureAwait(false))
            {
                var table = new TableWriter("SUBJECT", "KIND", "BINDING", "ROLE");
                foreach (var grant in answer["subjects"]?.AsArray() ?? [])
                {
                    var subject = grant?["subject"];
                    var who = subject?["namespace"] is { } ns ? $"{Cells.Text(ns)}/{Cells.Text(subject?["name"])}" : Cells.Text(subject?["name"]);
                    var binding = $"{Cells.Text(grant?["bindingKind"])} {(grant?["bindingNamespace"] is { } bns ? $"{Cells.Text(bns)}/" : string.Empty)}{Cells.Text(grant?["bindingName"])}";
                    table.AddRow(who, Cells.Text(subject?["kind"]), binding, $"{Cells.Text(grant?["roleKind"])} {Cells.Text(grant?["roleName"])}");
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var review = new Command("review", "Findings about risky grants and credentials, each with a fix");
        runner.SetAction(review, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var answer = await client.GetAsync("/v1/access/review", cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(answer).ConfigureAwait(false))
            {
                var table = new TableWriter("SEVERITY", "CODE", "OBJECT", "FINDING", "FIX");
                foreach (var finding in answer["findings"]?.AsArray() ?? [])
                {
                    table.AddRow(Cells.Text(finding?["severity"]), Cells.Text(finding?["code"]), Cells.Text(finding?["object"]), Cells.Text(finding?["message"]), Cells.Text(finding?["fix"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        command.Subcommands.Add(whoCan);
        command.Subcommands.Add(review);
        return command;
    }
}
