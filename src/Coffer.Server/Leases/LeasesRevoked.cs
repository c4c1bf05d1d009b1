namespace Coffer.Server.Leases;

internal sealed record LeasesRevoked(IReadOnlyList<string> Revoked);
