using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Configuration;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer login</c>: checks a token against the server, or trades a service-account or OIDC JWT for one,
/// and remembers it with the address in the config file.
/// </summary>
internal static class LoginCommand
{
    public const string ServiceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var method = new Option<string>("--method") { Description = "token (default), kubernetes (a service-account JWT) or oidc (an ID token)", DefaultValueFactory = _ => "token" };
        method.AcceptOnlyFromAmong("token", "kubernetes", "oidc");
        var role = new Option<string?>("--role") { Description = "Login role (kubernetes)" };
        var jwtFile = new Option<string?>("--jwt-file") { Description = $"File holding the JWT (kubernetes default: {ServiceAccountTokenPath}; '-' for standard input)" };
        var command = new Command("login", "Log in and save the token with the address in the config file") { method, role, jwtFile };
        globals.AddTo(command);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var token = context.Value(method) switch
            {
                "kubernetes" => await ExchangeAsync(context, "/v1/auth/kubernetes/login", new JsonObject
                {
                    ["role"] = context.Value(role) ?? throw new CliException(CliExitCode.Usage, "--role is required with --method kubernetes"),
                    ["jwt"] = await ReadJwtAsync(context, context.Value(jwtFile) ?? ServiceAccountTokenPath, cancellationToken).ConfigureAwait(false),
                }, cancellationToken).ConfigureAwait(false),
                "oidc" => await ExchangeAsync(context, "/v1/auth/oidc/login", new JsonObject
                {
                    ["jwt"] = await ReadJwtAsync(context, context.Value(jwtFile) ?? throw new CliException(CliExitCode.Usage, "--jwt-file is required with --method oidc"), cancellationToken).ConfigureAwait(false),
                }, cancellationToken).ConfigureAwait(false),
                _ => context.TokenFlag ?? await OperatorCommand.ReadLineFromStdinAsync(context.Environment, "the token (or use --token)", cancellationToken).ConfigureAwait(false),
            };
            var resolved = ConnectionSettings.Resolve(context.AddressFlag, token, context.Environment);
            using var client = new CofferClient(resolved, context.Environment.HttpHandler);
            var self = await client.GetAsync("/v1/tokens/self", cancellationToken).ConfigureAwait(false);

            var path = CliConfigFile.PathFor(context.Environment);
            await CliConfigFile.SaveAsync(path, new CliConfig(resolved.Address.ToString().TrimEnd('/'), token), cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(self).ConfigureAwait(false))
            {
                var root = (bool?)self["root"] == true ? " (root)" : string.Empty;
                await context.Output.WriteLineAsync($"Logged in to {resolved.Address} as {Cells.Text(self["user"])}{root}; saved to {path}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static async Task<string> ExchangeAsync(CliContext context, string path, JsonObject body, CancellationToken cancellationToken)
    {
        // No token is sent: the JWT is the credential.
        var settings = ConnectionSettings.Resolve(context.AddressFlag, null, context.Environment) with { Token = null };
        using var client = new CofferClient(settings, context.Environment.HttpHandler);
        var issued = await client.SendAsync(HttpMethod.Post, path, body, null, cancellationToken).ConfigureAwait(false);
        return Cells.Text(issued["token"]);
    }

    private static async Task<string> ReadJwtAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        var text = path == "-"
            ? await new StreamReader(context.Environment.Input).ReadToEndAsync(cancellationToken).ConfigureAwait(false)
            : await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return text.Trim();
    }
}
