namespace Coffer.Cli;

/// <summary>The <c>coffer</c> command (the default entry point; <see cref="ScanProgram"/> is the native scanner's).</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CofferCommandLine.InvokeAsync(args, Console.Out, Console.Error, CancellationToken.None);
}
