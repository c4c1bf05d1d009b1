using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer creds get|renew|revoke|list|connection|role</c>: short-lived database credentials.</summary>
internal static class CredsCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("creds", "Dynamic database credentials and their leases");
        globals.AddTo(command);

        var getTarget = new Argument<string>("NAMESPACE/ROLE") { Description = "The database role" };
        var ttl = new Option<string?>("--ttl") { Description = "Lease length such as 30m (default: the role's; never past its maximum)" };
        var get = new Command("get", "Create a database login that lives for a lease") { getTarget, ttl };
        runner.SetAction(get, globals, async (context, cancellationToken) =>
        {
            var (ns, role) = NamespacedName.Parse(context.Value(getTarget)!, context.Namespace);
            using var client = context.CreateClient();
            var body = context.Value(ttl) is { } t ? new JsonObject { ["ttl"] = t } : new JsonObject();
            var issued = await client.SendAsync(HttpMethod.Post, NamespacedName.Path(ns, $"/database/creds/{Uri.EscapeDataString(role)}"), body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(issued).ConfigureAwait(false))
            {
                var table = new TableWriter("KEY", "VALUE");
                foreach (var field in new[] { "leaseId", "leaseDuration", "expiresAt", "maxExpiresAt", "username", "password" })
                {
                    table.AddRow(field, Cells.Text(issued[field]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var renewLease = new Argument<string>("LEASE_ID") { Description = "The lease, as creds get printed it" };
        var increment = new Option<string?>("--increment") { Description = "How long from now, such as 1h (default: the role's TTL)" };
        var renew = new Command("renew", "Extend a lease, up to its maximum") { renewLease, increment };
        runner.SetAction(renew, globals, async (context, cancellationToken) =>
        {
            var lease = context.Value(renewLease)!;
            using var client = context.CreateClient();
            var body = new JsonObject { ["leaseId"] = lease };
            if (context.Value(increment) is { } by)
            {
                body["increment"] = by;
            }

            var renewed = await client.SendAsync(HttpMethod.Post, NamespacedName.Path(NamespaceOf(lease), "/leases/renew"), body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(renewed).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"lease {lease} expires {Cells.Time(renewed["expiresAt"])}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        var revokeLease = new Argument<string?>("LEASE_ID") { Description = "The lease", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix") { Description = "Revoke every lease whose id starts with this, such as team-a/database/creds/readonly/" };
        var revoke = new Command("revoke", "Revoke a lease now (dropping its login and ending its sessions), or every lease under a prefix") { revokeLease, prefix };
        runner.SetAction(revoke, globals, async (context, cancellationToken) =>
        {
            var lease = context.Value(revokeLease);
            var under = context.Value(prefix);
            if ((lease is null) == (under is null))
            {
                throw new CliException(CliExitCode.Usage, "give a LEASE_ID or --prefix");
            }

            using var client = context.CreateClient();
            var body = lease is not null ? new JsonObject { ["leaseId"] = lease } : new JsonObject { ["prefix"] = under };
            var revoked = await client.SendAsync(HttpMethod.Post, NamespacedName.Path(NamespaceOf(lease ?? under!), "/leases/revoke"), body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(revoked).ConfigureAwait(false))
            {
                foreach (var id in revoked["revoked"]!.AsArray())
                {
                    await context.Output.WriteLineAsync($"lease {Cells.Text(id)} revoked").ConfigureAwait(false);
                }
            }

            return CliExitCode.Ok;
        });

        var all = new Option<bool>("--all") { Description = "Include revoked leases" };
        var list = new Command("list", "The namespace's leases") { all };
        runner.SetAction(list, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var leases = await client.GetAsync(NamespacedName.Path(context.Namespace, $"/leases{(context.Value(all) ? "?all=true" : string.Empty)}"), cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(leases).ConfigureAwait(false))
            {
                var table = new TableWriter("LEASE", "ROLE", "USERNAME", "EXPIRES", "REVOKED");
                foreach (var item in leases["items"]!.AsArray())
                {
                    table.AddRow(Cells.Text(item!["leaseId"]), Cells.Text(item["role"]), Cells.Text(item["username"]), Cells.Time(item["expiresAt"]), Cells.Time(item["revokedAt"]));
                }

                await table.WriteAsync(context.Output).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });

        command.Subcommands.Add(get);
        command.Subcommands.Add(renew);
        command.Subcommands.Add(revoke);
        command.Subcommands.Add(list);
        command.Subcommands.Add(Setting(runner, globals, "connection", "connections", "Set a database connection: --file holds {\"connectionSecret\": NAME}"));
        command.Subcommands.Add(Setting(runner, globals, "role", "roles", "Set a database role: --file holds its statements and TTLs"));
        return command;
    }

    /// <summary>Lease ids begin with their namespace.</summary>
    private static string NamespaceOf(string leaseOrPrefix)
    {
        var slash = leaseOrPrefix.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? leaseOrPrefix[..slash] : throw new CliException(CliExitCode.Usage, $"'{leaseOrPrefix}' is not a lease id (NAMESPACE/database/creds/ROLE/ID)");
    }

    private static Command Setting(CommandRunner runner, GlobalOptions globals, string name, string collection, string description)
    {
        var target = new Argument<string>("NAMESPACE/NAME") { Description = $"The {name}" };
        var file = new Option<string>("--file", "-f") { Description = "JSON document", Required = true };
        var command = new Command(name, description) { target, file };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var (ns, objectName) = NamespacedName.Parse(context.Value(target)!, context.Namespace);
            var body = await File.ReadAllTextAsync(context.Value(file)!, cancellationToken).ConfigureAwait(false);
            using var client = context.CreateClient();
            var stored = await client.SendAsync(HttpMethod.Put, NamespacedName.Path(ns, $"/database/{collection}/{Uri.EscapeDataString(objectName)}"), body, "application/json", null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(stored).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"database {name} {ns}/{objectName} set").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
