using Coffer.Scanning.Detection;

namespace Coffer.Scanning;

/// <summary>How a scan runs; the defaults suit a repository checkout.</summary>
public sealed record ScanOptions
{
    public RuleSet RuleSet { get; init; } = RuleSet.Default;

    /// <summary>Larger files are skipped (and counted), so a stray dump cannot stall a pre-commit hook.</summary>
    public long MaxFileBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Fingerprints of accepted findings, from a baseline file.</summary>
    public IReadOnlySet<string> Baseline { get; init; } = new HashSet<string>();

    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}
