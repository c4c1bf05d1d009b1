namespace Coffer.Server.Access;

internal sealed record NamespaceResource(string ApiVersion, string Kind, NamespaceMetadata Metadata);
