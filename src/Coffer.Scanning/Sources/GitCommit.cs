namespace Coffer.Scanning.Sources;

/// <summary>The commit that added a line found by a history scan.</summary>
public sealed record GitCommit(string Id, string Author, DateTimeOffset Date);
