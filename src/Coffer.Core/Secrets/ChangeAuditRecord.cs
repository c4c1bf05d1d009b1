namespace Coffer.Core.Secrets;

/// <summary>
/// The audit log's entry for the request that makes a change, stored in the change's own transaction: one commit makes
/// the change and the record of who made it durable together, and a log file that lost its unflushed tail is restored
/// from these copies at the next start.
/// </summary>
/// <param name="LogId">The audit log the entry belongs to (one per audit directory, so replicas keep theirs apart).</param>
/// <param name="Seq">The entry's sequence number in that log's chain.</param>
/// <param name="Line">The entry's line exactly as the log wrote it (names and hashes, never values).</param>
public sealed record ChangeAuditRecord(string LogId, long Seq, byte[] Line);
