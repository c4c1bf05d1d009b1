namespace Coffer.Server.Access;

internal sealed record NamespaceList(string ApiVersion, string Kind, IReadOnlyList<NamespaceResource> Items);
