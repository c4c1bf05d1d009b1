using System.Text;
using Coffer.Cli.Commands;

namespace Coffer.Cli;

/// <summary>
/// The entry point of <c>coffer-scan</c>, <c>coffer scan</c> compiled ahead of time (<c>-p:CofferScan=true</c>): it starts in
/// milliseconds where the full CLI spends 0.2 s loading the runtime and the server's commands, which pre-commit hooks pay on
/// every commit. Only code reachable from here is compiled, so the server's assemblies stay out of the binary.
/// </summary>
internal static class ScanProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Console.Out writes every 256 characters; a report of thousands of findings took a system call for each.
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);
        await using (output.ConfigureAwait(false))
        {
            var environment = CliEnvironment.FromProcess();
            var root = ScanCommand.Configure(new System.CommandLine.RootCommand(ScanCommand.Description), environment, output, Console.Error);
            return await CofferCommandLine.InvokeAsync(root, "coffer-scan", args, output, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
