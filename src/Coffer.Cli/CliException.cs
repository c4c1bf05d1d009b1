namespace Coffer.Cli;

/// <summary>A failure the CLI reports as <c>error: message</c> with an exit code; messages never hold secret values.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = CliExitCode.Error;

    public static CliException Usage(string message) => new(CliExitCode.Usage, message);
}
