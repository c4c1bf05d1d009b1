namespace Coffer.Server.Secrets;

internal sealed record SecretList(string ApiVersion, string Kind, SecretListMetadata Metadata, IReadOnlyList<SecretResource> Items);
