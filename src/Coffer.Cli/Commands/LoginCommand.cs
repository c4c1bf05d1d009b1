using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Configuration;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer login</c>: checks a token against the server and remembers it in the config file.</summary>
internal static class LoginCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("login", "Check a token (from --token or standard input) and save it with the address in the config file");
        globals.AddTo(command);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var token = context.TokenFlag ?? await OperatorCommand.ReadLineFromStdinAsync(context.Environment, "the token (or use --token)", cancellationToken).ConfigureAwait(false);
            var resolved = ConnectionSettings.Resolve(context.AddressFlag, token, context.Environment);
            using var client = new CofferClient(resolved, context.Environment.HttpHandler);
            var self = await client.GetAsync("/v1/tokens/self", cancellationToken).ConfigureAwait(false);

            var path = CliConfigFile.PathFor(context.Environment);
            await CliConfigFile.SaveAsync(path, new CliConfig(resolved.Address.ToString().TrimEnd('/'), token), cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(self).ConfigureAwait(false))
            {
                var root = (bool?)self["root"] == true ? " (root)" : string.Empty;
                await context.Output.WriteLineAsync($"Logged in to {resolved.Address} as {Cells.Text(self["displayName"])}{root}; saved to {path}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
