namespace Coffer.Server.Audit;

/// <summary>An entry before the writer gives it its place in the chain (sequence, previous hash, signature).</summary>
/// <param name="Sync">Must be on stable storage before it counts: entries of changes before they happen, and checkpoints.</param>
internal sealed record AuditDraft(AuditEntry Template, bool Final = false, bool Sync = true);
