namespace Coffer.Server.Leases;

/// <summary>A new database login and its lease; the password is shown once.</summary>
internal sealed record CredentialResponse(string LeaseId, long LeaseDuration, bool Renewable, DateTimeOffset ExpiresAt, DateTimeOffset MaxExpiresAt, string Username, string Password);
