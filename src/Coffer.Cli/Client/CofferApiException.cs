namespace Coffer.Cli.Client;

/// <summary>The server answered with its error shape; <see cref="Exception.Message"/> is the server's message.</summary>
internal sealed class CofferApiException : Exception
{
    public CofferApiException(int statusCode, string? reason, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    public CofferApiException()
    {
    }

    public CofferApiException(string message)
        : base(message)
    {
    }

    public CofferApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int StatusCode { get; }

    public string? Reason { get; }
}
