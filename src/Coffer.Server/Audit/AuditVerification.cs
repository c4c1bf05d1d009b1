namespace Coffer.Server.Audit;

/// <summary>The verdict on a log: intact, or the first entry that is not, and why.</summary>
public sealed record AuditVerification(bool Intact, long Entries, long Checkpoints, string? Problem, string? File = null, long? Line = null);
