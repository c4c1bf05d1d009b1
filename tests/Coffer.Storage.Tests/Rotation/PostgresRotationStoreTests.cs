using Coffer.Storage.Postgres;
using Coffer.Storage.Tests.Postgres;

namespace Coffer.Storage.Tests.Rotation;

public sealed class PostgresRotationStoreTests : RotationStoreConformanceTests
{
    private string connectionString = null!;

    protected override async Task<StorageBackend> OpenAsync()
    {
        connectionString = await PostgresServer.CreateDatabaseAsync();
        return await PostgresStorage.OpenAsync(connectionString, CancellationToken.None);
    }

    protected override Task CloseAsync() => PostgresServer.DropDatabaseAsync(connectionString);
}
