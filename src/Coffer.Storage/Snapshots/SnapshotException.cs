namespace Coffer.Storage.Snapshots;

/// <summary>A snapshot that cannot be written, read or restored, with the reason in words; never a value.</summary>
public sealed class SnapshotException : Exception
{
    public SnapshotException()
    {
    }

    public SnapshotException(string message)
        : base(message)
    {
    }

    public SnapshotException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
