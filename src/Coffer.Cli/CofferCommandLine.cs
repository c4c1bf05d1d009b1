using System.CommandLine;
using Coffer.Cli.Commands;

namespace Coffer.Cli;

/// <summary>The <c>coffer</c> command tree; tests invoke it in-process with their own writers.</summary>
public static class CofferCommandLine
{
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Coffer: secrets for Kubernetes");
        root.Subcommands.Add(ServerCommand.Create(output));
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
