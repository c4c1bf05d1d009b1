using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer token create|lookup|renew|revoke|list</c>.</summary>
internal static class TokenCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("token", "Create, inspect, renew and revoke tokens");
        globals.AddTo(command);
        command.Subcommands.Add(CreateToken(runner, globals));
        command.Subcommands.Add(Lookup(runner, globals));
        command.Subcommands.Add(Renew(runner, globals));
        command.Subcommands.Add(Revoke(runner, globals));
        command.Subcommands.Add(List(runner, globals));
        return command;
    }

    private static Command CreateToken(CommandRunner runner, GlobalOptions globals)
    {
        var displayName = new Option<string?>("--display-name") { Description = "A name to recognise the token by" };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime, e.g. 30m, 12h, 7d (required unless root)" };
        var maxTtl = new Option<string?>("--max-ttl") { Description = "How far renewals may extend it (default: --ttl)" };
        var renewable = new Option<bool>("--renewable") { Description = "May be renewed up to --max-ttl" };
        var roles = new Option<string[]>("--role") { Description = "Bind a role to the token: NS/NAME for a Role, NAME for a ClusterRole (repeatable)", AllowMultipleArgumentsPerToken = false };
        var user = new Option<string?>("--user") { Description = "The identity the token carries (root only)" };
        var groups = new Option<string[]>("--group") { Description = "A group the token's identity is in (root only, repeatable)" };
        var command = new Command("create", "Create a token; it is shown once") { displayName, ttl, maxTtl, renewable, roles, user, groups };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var body = new JsonObject
            {
                ["displayName"] = context.Value(displayName),
                ["ttl"] = context.Value(ttl),
                ["maxTtl"] = context.Value(maxTtl),
                ["renewable"] = context.Value(renewable),
                ["user"] = context.Value(user),
            };
            if (context.Value(groups) is { Length: > 0 } given)
            {
                body["groups"] = new JsonArray([.. given.Select(g => JsonValue.Create(g))]);
            }

            body["roles"] = new JsonArray([.. (context.Value(roles) ?? []).Select(LoginRoleCommand.RoleNode)]);
            foreach (var key in body.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                body.Remove(key);
            }

            using var client = context.CreateClient();
            var created = await client.SendAsync(HttpMethod.Post, "/v1/tokens", body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(created).ConfigureAwait(false))
            {
                await WriteTokenAsync(context, created).ConfigureAwait(false);
                await context.Output.WriteLineAsync().ConfigureAwait(false);
                await context.Output.WriteLineAsync($"Token (shown once): {Cells.Text(created["token"])}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Lookup(CommandRunner runner, GlobalOptions globals)
    {
        var accessor = new Argument<string?>("ACCESSOR") { Description = "Token accessor (default: your own token)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("lookup", "Show a token's identity, roles and expiry") { accessor };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var token = await client.GetAsync($"/v1/tokens/{Uri.EscapeDataString(context.Value(accessor) ?? "self")}", cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(token).ConfigureAwait(false))
            {
                await WriteTokenAsync(context, token).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Renew(CommandRunner runner, GlobalOptions globals)
    {
        var accessor = new Argument<string?>("ACCESSOR") { Description = "Token accessor (default: your own token)", Arity = ArgumentArity.ZeroOrOne };
        var increment = new Option<string?>("--increment") { Description = "New lifetime from now (default: the token's TTL), never past its maximum" };
        var command = new Command("renew", "Extend a renewable token") { accessor, increment };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var target = context.Value(accessor) ?? Cells.Text((await client.GetAsync("/v1/tokens/self", cancellationToken).ConfigureAwait(false))["accessor"]);
            var body = context.Value(increment) is { } given ? new JsonObject { ["increment"] = given } : new JsonObject();
            var renewed = await client.SendAsync(HttpMethod.Post, $"/v1/tokens/{Uri.EscapeDataString(target)}/renew", body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(renewed).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"token {target} renewed; expires {Cells.Time(renewed["expiresAt"])}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Revoke(CommandRunner runner, GlobalOptions globals)
    {
        var accessor = new Argument<string>("ACCESSOR") { Description = "Token accessor, or 'self' for the token in use" };
        var alone = new Option<bool>("--orphan") { Description = "Revoke only this token; tokens created from it live on" };
        var command = new Command("revoke", "Revoke a token and, unless --orphan, every token created from it") { accessor, alone };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var path = $"/v1/tokens/{Uri.EscapeDataString(context.Value(accessor)!)}{(context.Value(alone) ? "?descendants=false" : string.Empty)}";
            var revoked = await client.SendAsync(HttpMethod.Delete, path, (JsonNode?)null, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(revoked).ConfigureAwait(false))
            {
                var accessors = revoked["accessors"]?.AsArray().Select(Cells.Text).ToList() ?? [];
                await context.Output.WriteLineAsync($"revoked {accessors.Count} token(s): {string.Join(", ", accessors)}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner, GlobalOptions globals)
    {
        var command = new Command("list", "List tokens (never their values)");
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var tokens = await client.GetAsync("/v1/tokens", cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(tokens).ConfigureAwait(false))
            {
                var table = new TableWriter("ACCESSOR", "NAME", "USER", "EXPIRES", "RENEWABLE", "PARENT");
                foreach (var token in tokens["items"]?.AsArray() ?? [])
                {
                    table.AddRow(Cells.Text(token?["accessor"]), Cells.Text(token?["displayName"]), Cells.Text(token?["user"]), Expiry(token?["expiresAt"]), Cells.Text(token?["renewable"]), Cells.Text(token?["parentAccessor"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static async Task WriteTokenAsync(CliContext context, JsonNode token)
    {
        var table = TableWriter.WithoutHeader(2);
        table.AddRow("accessor", Cells.Text(token["accessor"]));
        table.AddRow("display name", Cells.Text(token["displayName"]));
        table.AddRow("user", Cells.Text(token["user"]));
        table.AddRow("groups", string.Join(", ", token["groups"]?.AsArray().Select(Cells.Text) ?? []));
        table.AddRow("roles", string.Join(", ", token["roles"]?.AsArray().Select(r => r?["namespace"] is { } ns ? $"{Cells.Text(ns)}/{Cells.Text(r["name"])}" : Cells.Text(r?["name"])) ?? []));
        table.AddRow("expires", Expiry(token["expiresAt"]));
        table.AddRow("renewable", Cells.Text(token["renewable"]));
        await table.WriteAsync(context.Output).ConfigureAwait(false);
    }

    private static string Expiry(JsonNode? node) => node is null ? "never" : Cells.Time(node);
}
