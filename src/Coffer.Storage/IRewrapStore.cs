namespace Coffer.Storage;

/// <summary>What re-wrapping data keys needs: counts per key, a batch to do, and a check-and-set update.</summary>
public interface IRewrapStore
{
    Task<IReadOnlyDictionary<int, long>> CountByKeyAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<WrappedKeyRow>> FindNotWrappedWithAsync(int keyId, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces each row's wrapped key only where it is still the one read; returns how many changed.</summary>
    Task<int> ReplaceWrappedKeysAsync(IReadOnlyList<WrappedKeyReplacement> replacements, CancellationToken cancellationToken);
}
