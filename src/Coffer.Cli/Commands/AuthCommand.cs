using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer auth can-i</c>, as <c>kubectl auth can-i</c>: prints yes or no, and exits 0 for yes, 1 for no.</summary>
internal static class AuthCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("auth", "Check your own (or, with --as, someone else's) access");
        globals.AddTo(command);

        var verb = new Argument<string?>("VERB") { Description = "get, list, watch, create, update, patch, delete, destroy, rotate or *", Arity = ArgumentArity.ZeroOrOne };
        var resource = new Argument<string?>("RESOURCE") { Description = "RESOURCE or RESOURCE/NAME, e.g. secrets/api-keys", Arity = ArgumentArity.ZeroOrOne };
        var user = new Option<string?>("--as") { Description = "Ask for this user (needs impersonate)" };
        var groups = new Option<string[]>("--as-group") { Description = "Ask for a member of this group (repeatable)" };
        var list = new Option<bool>("--list") { Description = "List every rule that applies in the namespace" };
        var canI = new Command("can-i", "Answer whether an action is allowed") { verb, resource, user, groups, list };
        runner.SetAction(canI, globals, async (context, cancellationToken) =>
        {
            var body = new JsonObject { ["namespace"] = context.Namespace, ["list"] = context.Value(list) };
            if (!context.Value(list))
            {
                var (resourceName, name) = AccessTarget.Split(context.Value(resource) ?? throw new CliException(CliExitCode.Usage, "can-i needs VERB and RESOURCE, or --list"));
                body["verb"] = context.Value(verb) ?? throw new CliException(CliExitCode.Usage, "can-i needs VERB and RESOURCE, or --list");
                body["resource"] = resourceName;
                body["name"] = name;
            }

            if (context.Value(user) is { } who)
            {
                body["user"] = who;
            }

            if (context.Value(groups) is { Length: > 0 } given)
            {
                body["groups"] = new JsonArray([.. given.Select(g => JsonValue.Create(g))]);
            }

            using var client = context.CreateClient();
            var answer = await client.SendAsync(HttpMethod.Post, "/v1/access/can-i", body, null, cancellationToken).ConfigureAwait(false);
            if (await context.WriteStructuredAsync(answer).ConfigureAwait(false))
            {
                return (bool?)answer["allowed"] == true ? CliExitCode.Ok : CliExitCode.Error;
            }

            if (context.Value(list))
            {
                var table = new TableWriter("RESOURCES", "RESOURCE NAMES", "VERBS");
                foreach (var rule in answer["rules"]?.AsArray() ?? [])
                {
                    table.AddRow(Join(rule?["resources"]), $"[{Join(rule?["resourceNames"])}]", $"[{Join(rule?["verbs"])}]");
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
                return CliExitCode.Ok;
            }

            var allowed = (bool?)answer["allowed"] == true;
            await context.Output.WriteLineAsync(allowed ? "yes" : "no").ConfigureAwait(false);
            return allowed ? CliExitCode.Ok : CliExitCode.Error;
        });
        command.Subcommands.Add(canI);
        command.Subcommands.Add(LoginRoleCommand.Create(runner, globals));
        return command;
    }

    private static string Join(JsonNode? array) => string.Join(" ", array?.AsArray().Select(Cells.Text) ?? []);
}
