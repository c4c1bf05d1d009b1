using System.CommandLine;
using Coffer.Cli.Client;

namespace Coffer.Cli.Commands;

/// <summary>Runs a command's action and turns every failure into <c>error: ...</c> on stderr and a documented exit code.</summary>
internal sealed class CommandRunner(CliEnvironment environment, TextWriter output, TextWriter error)
{
    public void SetAction(Command command, GlobalOptions globals, Func<CliContext, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CliContext(parse, globals, environment, output, error);
            try
            {
                return await action(context, cancellationToken).ConfigureAwait(false);
            }
            catch (CofferApiException e)
            {
                return await FailAsync(CliExitCode.ForHttpStatus(e.StatusCode), e.Message).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                return await FailAsync(e.ExitCode, e.Message).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                return await FailAsync(CliExitCode.Error, e.Message).ConfigureAwait(false);
            }
            catch (UnauthorizedAccessException e)
            {
                return await FailAsync(CliExitCode.Error, e.Message).ConfigureAwait(false);
            }
        });

    private async Task<int> FailAsync(int exitCode, string message)
    {
        await output.FlushAsync().ConfigureAwait(false);
        await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
        return exitCode;
    }
}
