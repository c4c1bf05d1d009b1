namespace Coffer.Kubernetes.Sealing;

/// <summary>A manifest that is not valid YAML or JSON, or not the object expected; the message never holds values.</summary>
public sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
