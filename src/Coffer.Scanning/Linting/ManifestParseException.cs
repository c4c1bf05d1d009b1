namespace Coffer.Scanning.Linting;

/// <summary>Input <c>coffer lint</c> refuses to judge: not YAML, too large, too deep, or an alias bomb; the message names file and line.</summary>
public sealed class ManifestParseException : Exception
{
    public ManifestParseException()
    {
    }

    public ManifestParseException(string message)
        : base(message)
    {
    }

    public ManifestParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
