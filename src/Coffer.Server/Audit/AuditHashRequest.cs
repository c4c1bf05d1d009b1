namespace Coffer.Server.Audit;

internal sealed record AuditHashRequest(string? Value);
