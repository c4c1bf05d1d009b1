namespace Coffer.Kubernetes.Webhook;

/// <summary>A pod that asks for injection in a way the webhook cannot honour; it is denied with this message.</summary>
internal sealed class AdmissionFailure : Exception
{
    public AdmissionFailure()
    {
    }

    public AdmissionFailure(string message)
        : base(message)
    {
    }

    public AdmissionFailure(string message, Exception inner)
        : base(message, inner)
    {
    }
}
