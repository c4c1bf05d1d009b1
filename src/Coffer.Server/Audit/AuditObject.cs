namespace Coffer.Server.Audit;

/// <summary>A request's or response's object at the Request and RequestResponse levels: values only as HMACs.</summary>
internal sealed record AuditObject(
    string? Type,
    long? Version,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Annotations,
    IReadOnlyDictionary<string, string>? Data);
