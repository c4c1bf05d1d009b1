namespace Coffer.Core.Errors;

/// <summary>
/// A failure the caller can act on. Messages name fields and rules, never values.
/// </summary>
public sealed class CofferException : Exception
{
    public CofferException(ErrorKind kind, string reason, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Reason = reason;
        Field = field;
    }

    public CofferException()
        : this(ErrorKind.Invalid, "Invalid", "invalid request")
    {
    }

    public CofferException(string message)
        : this(ErrorKind.Invalid, "Invalid", message)
    {
    }

    public CofferException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = ErrorKind.Invalid;
        Reason = "Invalid";
    }

    public ErrorKind Kind { get; }

    /// <summary>A machine-readable code such as <c>VersionConflict</c>.</summary>
    public string Reason { get; }

    /// <summary>The offending field, in JSON path form, where there is one.</summary>
    public string? Field { get; }

    public static CofferException Invalid(string reason, string message, string? field = null) =>
        new(ErrorKind.Invalid, reason, message, field);

    public static CofferException NotFound(string reason, string message) =>
        new(ErrorKind.NotFound, reason, message);

    public static CofferException Conflict(string reason, string message, string? field = null) =>
        new(ErrorKind.Conflict, reason, message, field);
}
