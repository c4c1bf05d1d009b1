namespace Coffer.Scanning.Linting;

/// <summary>The text of one manifest file (or standard input, path <c>-</c>) and the path findings report for it.</summary>
public sealed record ManifestSource(string Path, string Text);
