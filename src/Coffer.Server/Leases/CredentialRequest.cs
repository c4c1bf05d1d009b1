namespace Coffer.Server.Leases;

internal sealed record CredentialRequest(string? Ttl = null);
