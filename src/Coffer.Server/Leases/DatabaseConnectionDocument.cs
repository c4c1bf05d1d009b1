namespace Coffer.Server.Leases;

/// <summary>A database dynamic credentials are made in: its admin connection string is the <c>key</c> of a Coffer secret in the same namespace.</summary>
internal sealed record DatabaseConnectionDocument(string ConnectionSecret, string? ApiVersion = null, string? Kind = null, string Key = "connectionString");
