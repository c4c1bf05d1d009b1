namespace Coffer.Server.Leases;

internal sealed record LeaseList(string ApiVersion, string Kind, IReadOnlyList<LeaseResource> Items);
