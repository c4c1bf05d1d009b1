namespace Coffer.Storage;

public sealed record NamespaceRecord(string Name, DateTimeOffset CreatedAt);
