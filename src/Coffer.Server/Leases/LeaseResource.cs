namespace Coffer.Server.Leases;

internal sealed record LeaseResource(string LeaseId, string Namespace, string Role, string Username, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset MaxExpiresAt, DateTimeOffset? RevokedAt);
