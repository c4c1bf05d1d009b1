using System.Data.Common;

namespace Coffer.Storage.Relational;

/// <summary>Both backends' transaction runners in one shape, so stores whose SQL is portable are written once.</summary>
internal interface IRelationalDatabase
{
    /// <summary>Runs <paramref name="work"/> in one transaction; the task completes once it is durable.</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Appended to a SELECT inside a write to lock the rows it read against other writers (empty where one writer is all there is).</summary>
    string LockForUpdate { get; }

    /// <summary>Appended to a SELECT inside a write so the rows it relies on cannot be deleted before it commits.</summary>
    string LockForShare { get; }

    /// <summary>
    /// Run just before appending to the secret change log, so revisions commit in the order they are drawn (empty where
    /// one writer is all there is).
    /// </summary>
    string SerializeChangeLog { get; }
}
