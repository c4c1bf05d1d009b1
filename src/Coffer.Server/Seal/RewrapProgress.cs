namespace Coffer.Server.Seal;

/// <param name="Remaining">Versions whose data key is not yet wrapped by the current key.</param>
internal sealed record RewrapProgress(
    bool Running,
    int TargetKeyId,
    long Rewrapped,
    long Remaining,
    IReadOnlyList<int> RetiredKeyIds,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    /// <summary>When the standing request was made; the leading replica runs it until nothing is left.</summary>
    public DateTimeOffset? RequestedAt { get; init; }
}
