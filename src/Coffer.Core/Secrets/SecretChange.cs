namespace Coffer.Core.Secrets;

/// <summary>A change that makes no new version: metadata, soft delete, undelete or destroy.</summary>
/// <param name="Versions">For delete, undelete and destroy: the versions affected; empty means the whole secret.</param>
public sealed record SecretChange(
    SecretAddress Address,
    SecretChangeKind Kind,
    IReadOnlyList<long> Versions,
    IReadOnlyDictionary<string, string?>? Labels,
    IReadOnlyDictionary<string, string?>? Annotations,
    long? ExpectedVersion,
    string Actor,
    DateTimeOffset At)
{
    /// <summary>The audit record of the request, stored with the change when there is one.</summary>
    public ChangeAuditRecord? Audit { get; init; }
}
