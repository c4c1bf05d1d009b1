using System.Net;

namespace Coffer.Kubernetes.Operator;

/// <summary>A Coffer answer other than success; the message is Coffer's own error text, which never holds a value.</summary>
internal sealed class CofferRequestFailed : Exception
{
    public CofferRequestFailed()
    {
    }

    public CofferRequestFailed(string message)
        : base(message)
    {
    }

    public CofferRequestFailed(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CofferRequestFailed(HttpStatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    public HttpStatusCode Status { get; }
}
