namespace Coffer.Scanning.Sources;

/// <summary>One line of text with where it belongs, such as an added line of a diff; <see cref="Commit"/> is set for history lines.</summary>
public sealed record SourceLine(string Path, int Number, string Text)
{
    public GitCommit? Commit { get; init; }
}
