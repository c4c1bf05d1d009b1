namespace Coffer.Storage;

/// <summary>A lease as stored: the columns queries need, and the server's JSON body.</summary>
public sealed record LeaseRow(string Id, string Namespace, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string Body);
