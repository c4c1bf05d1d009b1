namespace Coffer.Server.Audit;

/// <summary>An entry before the writer gives it its place in the chain (sequence, previous hash, signature).</summary>
internal sealed record AuditDraft(AuditEntry Template, bool Final = false);
