namespace Coffer.Server.Audit;

/// <summary>What the file holds per line: the entry as written, and the chain hash over it.</summary>
internal sealed record AuditLine(AuditEntry Entry, string Hash);
