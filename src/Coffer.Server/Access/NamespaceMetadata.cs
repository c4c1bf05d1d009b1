namespace Coffer.Server.Access;

internal sealed record NamespaceMetadata(string? Name, DateTimeOffset? CreationTimestamp = null);
