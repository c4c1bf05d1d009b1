namespace Coffer.Server.Secrets;

/// <param name="State">One of <c>active</c>, <c>deleted</c> or <c>destroyed</c>.</param>
internal sealed record SecretVersionEntry(long Version, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? DeletedAt, DateTimeOffset? DestroyedAt, string State);
