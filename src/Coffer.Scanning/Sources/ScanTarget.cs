namespace Coffer.Scanning.Sources;

/// <summary>A file to read and the path findings report (and fingerprints hash) for it.</summary>
/// <param name="FullPath">Absolute, so opening it does not resolve the working folder again.</param>
/// <param name="Length">Its size when it was found.</param>
public sealed record ScanTarget(string FullPath, string DisplayPath, long Length);
