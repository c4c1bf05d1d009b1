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
}
