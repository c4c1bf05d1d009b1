namespace Coffer.Kubernetes.Kms;

/// <summary>The backend cannot serve now (sealed, unreachable); kube-apiserver retries.</summary>
public sealed class KmsUnavailableException : Exception
{
    public KmsUnavailableException()
    {
    }

    public KmsUnavailableException(string message)
        : base(message)
    {
    }

    public KmsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
