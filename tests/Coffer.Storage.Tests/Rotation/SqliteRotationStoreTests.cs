using Coffer.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests.Rotation;

public sealed class SqliteRotationStoreTests : RotationStoreConformanceTests, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-sqlite-rotation-").FullName;

    protected override Task<StorageBackend> OpenAsync() => SqliteStorage.OpenAsync(Path.Combine(folder, SqliteStorage.FileName), CancellationToken.None);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
