namespace Coffer.Core.Secrets;

/// <summary>A request to store a new version of a secret's data.</summary>
/// <param name="ExpectedVersion">Check-and-set: the current version the writer saw; 0 means "must not exist yet".</param>
/// <param name="Labels">Null keeps the existing labels.</param>
/// <param name="Annotations">Null keeps the existing annotations.</param>
/// <param name="MaxVersions">Null keeps the existing maximum, or the default for a new secret.</param>
public sealed record SecretWrite(
    SecretAddress Address,
    string Type,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Annotations,
    bool Immutable,
    int? MaxVersions,
    long? ExpectedVersion,
    string Actor,
    DateTimeOffset At)
{
    /// <summary>The audit record of the request, stored with the new version when there is one.</summary>
    public ChangeAuditRecord? Audit { get; init; }
}
