namespace Coffer.Server.Leases;

/// <summary>What revoking a lease needs, kept with it so a changed or deleted role still revokes what it made.</summary>
internal sealed record LeaseBody(string Role, string Connection, string Username, IReadOnlyList<string> RevocationStatements, DateTimeOffset MaxExpiresAt);
