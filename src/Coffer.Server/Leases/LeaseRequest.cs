namespace Coffer.Server.Leases;

/// <summary>Renew or revoke: one lease by id, or (revoke only) every lease whose id starts with <c>prefix</c>.</summary>
internal sealed record LeaseRequest(string? LeaseId = null, string? Prefix = null, string? Increment = null);
