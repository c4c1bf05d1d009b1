namespace Coffer.Kubernetes.Operator;

/// <summary>Why a CofferSecret cannot be projected; the reason goes into its Ready condition and an Event. Never a value.</summary>
internal sealed class ProjectionFailure : Exception
{
    public ProjectionFailure()
        : this("Failed", "projection failed")
    {
    }

    public ProjectionFailure(string message)
        : this("Failed", message)
    {
    }

    public ProjectionFailure(string message, Exception inner)
        : base(message, inner)
    {
        Reason = "Failed";
    }

    public ProjectionFailure(string reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
