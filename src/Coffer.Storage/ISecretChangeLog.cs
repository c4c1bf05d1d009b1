namespace Coffer.Storage;

/// <summary>The change log every secret write and lifecycle change appends to, in its own transaction.</summary>
public interface ISecretChangeLog
{
    /// <summary>Up to <paramref name="limit"/> changes in <paramref name="namespace"/> after <paramref name="afterRevision"/>, oldest first.</summary>
    Task<IReadOnlyList<SecretChangeRecord>> ReadAsync(string @namespace, long afterRevision, int limit, CancellationToken cancellationToken);

    /// <summary>The newest revision in the whole store (0 when nothing has changed yet).</summary>
    Task<long> LatestRevisionAsync(CancellationToken cancellationToken);

    /// <summary>The newest revision pruned away (0 when none): a watch must start after it to miss nothing.</summary>
    Task<long> PrunedThroughAsync(CancellationToken cancellationToken);

    /// <summary>Removes changes recorded before <paramref name="cutoff"/>, always keeping the newest; returns how many went.</summary>
    Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
