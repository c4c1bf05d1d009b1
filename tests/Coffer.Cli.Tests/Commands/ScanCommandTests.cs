using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary>The scan contract against <c>coffer scan</c>, invoked in-process.</summary>
public sealed class ScanCommandTests : ScanCommandContract
{
    internal override Task<CliResult> ScanAsync(byte[]? stdin, params string[] args) => Cli.RunAsync(stdin, ["scan", .. args]);
}
