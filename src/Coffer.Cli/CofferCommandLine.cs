using System.CommandLine;
using Coffer.Cli.Commands;

namespace Coffer.Cli;

/// <summary>The <c>coffer</c> command tree; tests invoke it in-process with their own writers and environment.</summary>
public static class CofferCommandLine
{
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        InvokeAsync(args, output, error, CliEnvironment.FromProcess(), cancellationToken);

    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        var runner = new CommandRunner(environment, output, error);
        var root = new RootCommand("Coffer: secrets for Kubernetes");
        root.Subcommands.Add(ServerCommand.Create(output));
        root.Subcommands.Add(LoginCommand.Create(runner));
        root.Subcommands.Add(OperatorCommand.Create(runner));
        root.Subcommands.Add(SecretCommand.Create(runner));
        root.Subcommands.Add(NamespaceCommand.Create(runner));
        root.Subcommands.Add(TokenCommand.Create(runner));
        root.Subcommands.Add(ManifestCommand.Create(runner, "apply", "Create or update the roles and bindings of a YAML file", "/v1/access/apply"));
        root.Subcommands.Add(ManifestCommand.Create(runner, "delete", "Delete the roles and bindings named in a YAML file", "/v1/access/delete"));
        root.Subcommands.Add(AuthCommand.Create(runner));
        root.Subcommands.Add(AccessCommand.Create(runner));
        root.Subcommands.Add(AuditCommand.Create(runner));
        root.Subcommands.Add(RotationCommand.Create(runner));
        root.Subcommands.Add(RotateCommand.Create(runner));
        root.Subcommands.Add(CredsCommand.Create(runner));
        root.Subcommands.Add(ScanCommand.Create(environment, output, error));
        root.Subcommands.Add(LintCommand.Create(environment, output, error));
        root.Subcommands.Add(MigrateCommand.Create(runner));
        root.Subcommands.Add(SealCommand.Create(runner));
        var k8s = K8sCommand.Create(output, error);
        K8sKmsCommands.AddTo(k8s, environment, output, error);
        root.Subcommands.Add(k8s);
        return await InvokeAsync(root, "coffer", args, output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="root"/>; usage errors name <paramref name="program"/> in their hint and exit with <see cref="CliExitCode.Usage"/>.</summary>
    internal static async Task<int> InvokeAsync(RootCommand root, string program, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Usage errors get their own exit code so scripts can tell them from server answers.
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync($"Run '{string.Join(' ', [program, .. CommandPath(parse.CommandResult.Command)])} --help' for usage.").ConfigureAwait(false);
            return CliExitCode.Usage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static List<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? current = command; current is Command c and not RootCommand; current = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return names;
    }
}
