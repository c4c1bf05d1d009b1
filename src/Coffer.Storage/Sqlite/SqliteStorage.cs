namespace Coffer.Storage.Sqlite;

/// <summary>Opens the embedded SQLite backend.</summary>
public static class SqliteStorage
{
    public const string FileName = "coffer.db";

    /// <summary>Opens (creating and migrating if needed) the database file at <paramref name="path"/>.</summary>
    public static async Task<StorageBackend> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var database = await SqliteDatabase.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        return new StorageBackend(
            new SqliteSecretStore(database),
            new SqliteInstallationStore(database),
            new Relational.RelationalTokenStore(database),
            new SqliteRewrapStore(database),
            new Relational.RelationalNamespaceStore(database),
            new Relational.RelationalAccessStore(database),
            new Relational.RelationalLoginRoleStore(database),
            new RotationStores(new Relational.RelationalSecretRotationStore(database), new Relational.RelationalRotationObjectStore(database), new Relational.RelationalLeaseStore(database)),
            database)
        {
            Changes = new Relational.RelationalSecretChangeLog(database),
            RewrapRequests = new Relational.RelationalRewrapRequests(database),
            AuditOutbox = new Relational.RelationalAuditOutbox(database),
        };
    }
}
