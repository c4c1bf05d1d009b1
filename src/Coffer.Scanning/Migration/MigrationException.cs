namespace Coffer.Scanning.Migration;

/// <summary>A manifest <c>coffer migrate</c> refuses to rewrite (a value it cannot read whole, a name it cannot derive); the message names file and line.</summary>
public sealed class MigrationException : Exception
{
    public MigrationException()
    {
    }

    public MigrationException(string message)
        : base(message)
    {
    }

    public MigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
