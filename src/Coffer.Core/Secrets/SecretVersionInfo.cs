namespace Coffer.Core.Secrets;

/// <summary>The record of one version: kept after its data is deleted or destroyed.</summary>
public sealed record SecretVersionInfo(
    long Version,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? DeletedAt,
    DateTimeOffset? DestroyedAt)
{
    public bool IsReadable => DeletedAt is null && DestroyedAt is null;
}
