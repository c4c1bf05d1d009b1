using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer rotate NS/NAME</c>: runs the secret's rotation now (all four steps).</summary>
internal static class RotateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var target = new Argument<string>("NAMESPACE/NAME") { Description = "The secret to rotate" };
        var requestToken = new Option<string?>("--request-token") { Description = "Resume the rotation started under this token instead of starting a new one" };
        var command = new Command("rotate", "Rotate a secret now: create, set, test and finish") { target, requestToken };
        globals.AddTo(command);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var (ns, name) = NamespacedName.Parse(context.Value(target)!, context.Namespace);
            using var client = context.CreateClient();
            var body = context.Value(requestToken) is { } token ? new JsonObject { ["token"] = token } : new JsonObject();
            var rotated = await client.SendAsync(HttpMethod.Post, NamespacedName.Path(ns, $"/rotation/secrets/{Uri.EscapeDataString(name)}/rotate"), body, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(rotated).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"secret/{ns}/{name} rotated: version {Cells.Text(rotated["currentVersion"])} is current (previous {Cells.Text(rotated["previousVersion"])})").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
