namespace Coffer.Server.Secrets;

internal sealed record SecretVersionList(string ApiVersion, string Kind, string Namespace, string Name, long CurrentVersion, IReadOnlyList<SecretVersionEntry> Items);
