namespace Coffer.Scanning.Sources;

/// <summary>A file to read and the path findings report (and fingerprints hash) for it.</summary>
public sealed record ScanTarget(string FullPath, string DisplayPath);
