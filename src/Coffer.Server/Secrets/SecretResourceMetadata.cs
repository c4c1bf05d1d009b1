namespace Coffer.Server.Secrets;

/// <param name="Version">The version this document shows.</param>
/// <param name="CurrentVersion">The newest version of the secret.</param>
internal sealed record SecretResourceMetadata(
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    long Version,
    long CurrentVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset? VersionCreatedAt,
    string? VersionCreatedBy);
