namespace Coffer.Core.Errors;

/// <summary>The class of a failure; the server maps each to one HTTP status.</summary>
public enum ErrorKind
{
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    Unavailable,

    /// <summary>What was asked for existed once and has been compacted away (a watch from a pruned revision).</summary>
    Gone,
}
