namespace Coffer.Server.Audit;

/// <param name="Entries">Entries written so far, this one's request not included.</param>
internal sealed record AuditCheckpointResponse(string PublicKey, long Entries, AuditEntry? Checkpoint);
