using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer auth kubernetes-role put|list|delete</c>: which service accounts may log in, and what their tokens get.</summary>
internal static class LoginRoleCommand
{
    public static Command Create(CommandRunner runner, GlobalOptions globals)
    {
        var command = new Command("kubernetes-role", "Manage the login roles service accounts log in with");

        var name = new Argument<string>("NAME") { Description = "Login role name" };
        var accounts = new Option<string[]>("--service-account") { Description = "Service account name allowed to log in ('*' for any; repeatable)", Required = true };
        var namespaces = new Option<string[]>("--bound-namespace") { Description = "Namespace the service account must be in ('*' for any; repeatable)", Required = true };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime of the login token (default 1h, at most 24h)" };
        var roles = new Option<string[]>("--role") { Description = "Bind a role to login tokens: NS/NAME for a Role, NAME for a ClusterRole (repeatable)" };
        var put = new Command("put", "Create or replace a login role") { name, accounts, namespaces, ttl, roles };
        runner.SetAction(put, globals, async (context, cancellationToken) =>
        {
            var body = new JsonObject
            {
                ["boundServiceAccountNames"] = new JsonArray([.. context.Value(accounts)!.Select(a => JsonValue.Create(a))]),
                ["boundNamespaces"] = new JsonArray([.. context.Value(namespaces)!.Select(n => JsonValue.Create(n))]),
                ["roles"] = new JsonArray([.. (context.Value(roles) ?? []).Select(RoleNode)]),
            };
            if (context.Value(ttl) is { } given)
            {
                body["ttl"] = given;
            }

            using var client = context.CreateClient();
            var saved = await client.SendAsync(HttpMethod.Put, $"/v1/auth/kubernetes/roles/{Uri.EscapeDataString(context.Value(name)!)}", body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(saved).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"kubernetes-role/{context.Value(name)} saved").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var list = new Command("list", "List login roles");
        runner.SetAction(list, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var found = await client.GetAsync("/v1/auth/kubernetes/roles", cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(found).ConfigureAwait(false))
            {
                var table = new TableWriter("NAME", "SERVICE ACCOUNTS", "NAMESPACES", "TTL");
                foreach (var item in found["items"]?.AsArray() ?? [])
                {
                    table.AddRow(Cells.Text(item?["name"]), Join(item?["boundServiceAccountNames"]), Join(item?["boundNamespaces"]), Cells.Text(item?["ttl"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var deleteName = new Argument<string>("NAME") { Description = "Login role name" };
        var delete = new Command("delete", "Delete a login role") { deleteName };
        runner.SetAction(delete, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            await client.SendAsync(HttpMethod.Delete, $"/v1/auth/kubernetes/roles/{Uri.EscapeDataString(context.Value(deleteName)!)}", (JsonNode?)null, null, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"kubernetes-role/{context.Value(deleteName)} deleted").ConfigureAwait(false);
            return CliExitCode.Ok;
        });

        command.Subcommands.Add(put);
        command.Subcommands.Add(list);
        command.Subcommands.Add(delete);
        return command;
    }

    public static JsonNode RoleNode(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new JsonObject { ["name"] = text }
            : new JsonObject { ["namespace"] = text[..slash], ["name"] = text[(slash + 1)..] };
    }

    private static string Join(JsonNode? array) => string.Join(",", array?.AsArray().Select(Cells.Text) ?? []);
}
