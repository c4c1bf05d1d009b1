namespace Coffer.Core.Secrets;

/// <summary>Everything about a secret except its values.</summary>
public sealed record SecretMetadata(
    SecretAddress Address,
    string Type,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    long CurrentVersion,
    int MaxVersions,
    bool Immutable,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt)
{
    public const int DefaultMaxVersions = 10;
    public const int MaxMaxVersions = 1000;

    public bool IsDeleted => DeletedAt is not null;
}
