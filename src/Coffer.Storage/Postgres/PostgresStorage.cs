namespace Coffer.Storage.Postgres;

/// <summary>Opens the PostgreSQL backend that several replicas can share.</summary>
public static class PostgresStorage
{
    /// <summary>Connects, and creates or migrates the schema if needed.</summary>
    public static async Task<StorageBackend> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var database = await PostgresDatabase.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        return new StorageBackend(
            new PostgresSecretStore(database),
            new PostgresInstallationStore(database),
            new Relational.RelationalTokenStore(database),
            new PostgresRewrapStore(database),
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
