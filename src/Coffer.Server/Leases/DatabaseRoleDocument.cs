namespace Coffer.Server.Leases;

/// <summary>
/// A kind of dynamic credential. Statements may use <c>{{name}}</c>, <c>{{password}}</c> (a SCRAM verifier, never the
/// password itself) and <c>{{expiration}}</c>; the server quotes nothing, so write them inside quotes as the defaults do.
/// </summary>
internal sealed record DatabaseRoleDocument(
    string Connection,
    IReadOnlyList<string> CreationStatements,
    IReadOnlyList<string>? RevocationStatements = null,
    string DefaultTtl = "1h",
    string MaxTtl = "24h",
    string? ApiVersion = null,
    string? Kind = null);
