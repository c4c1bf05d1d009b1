namespace Coffer.Scanning;

/// <summary>Findings in a stable order (path, line, column) and what was left out.</summary>
public sealed record ScanResult(IReadOnlyList<Finding> Findings, int FilesScanned, int FilesSkipped, int Suppressed);
