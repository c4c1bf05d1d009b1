namespace Coffer.Server.Audit;

/// <summary>What the authorisation point learned about a request, for its audit entry.</summary>
internal sealed record AuditFacts(string? Verb, string? Resource, string? Namespace, string? Name, string? Decision, string? Reason);
