namespace Coffer.Storage;

/// <summary>
/// A standing request to re-wrap data keys, kept in the store so whichever replica leads the background work runs it,
/// and a new leader finishes what a dead one started.
/// </summary>
public interface IRewrapRequests
{
    /// <summary>Records a request made at <paramref name="at"/>, replacing any earlier one.</summary>
    Task RequestAsync(DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>When the standing request was made; null when there is none (or no installation yet).</summary>
    Task<DateTimeOffset?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Clears the request made at <paramref name="at"/>; a newer one, made while a run went on, stays.</summary>
    Task ClearAsync(DateTimeOffset at, CancellationToken cancellationToken);
}
