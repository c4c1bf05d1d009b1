using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>
/// The audit records stored with the changes they describe (<see cref="SecretWrite.Audit"/>, <see cref="SecretChange.Audit"/>),
/// kept until the audit log has them on disk itself.
/// </summary>
public interface IAuditOutbox
{
    /// <summary>Every record kept for <paramref name="logId"/>, in sequence order.</summary>
    Task<IReadOnlyList<ChangeAuditRecord>> ReadAsync(string logId, CancellationToken cancellationToken);

    /// <summary>Drops the records of <paramref name="logId"/> up to and including <paramref name="throughSeq"/>; returns how many went.</summary>
    Task<long> PruneAsync(string logId, long throughSeq, CancellationToken cancellationToken);
}
