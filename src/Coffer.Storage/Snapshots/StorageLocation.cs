namespace Coffer.Storage.Snapshots;

/// <summary>Where an installation's store lives: <c>sqlite:PATH</c> (the database file) or <c>postgres:CONNECTION-STRING</c>.</summary>
public sealed record StorageLocation(bool IsPostgres, string Target)
{
    public static StorageLocation Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("sqlite:", StringComparison.Ordinal) && text.Length > "sqlite:".Length)
        {
            return new StorageLocation(false, text["sqlite:".Length..]);
        }

        if (text.StartsWith("postgres:", StringComparison.Ordinal) && text.Length > "postgres:".Length)
        {
            return new StorageLocation(true, text["postgres:".Length..]);
        }

        throw new SnapshotException("a storage location is sqlite:PATH (the coffer.db file) or postgres:CONNECTION-STRING");
    }

    /// <summary>Names the location without a PostgreSQL password.</summary>
    public override string ToString() => IsPostgres ? "postgres" : $"sqlite:{Target}";
}
