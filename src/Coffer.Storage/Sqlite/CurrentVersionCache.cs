using System.Collections.Concurrent;
using Coffer.Core.Secrets;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// The latest stored version of recently read secrets, still sealed (ciphertext and wrapped key only).
/// Every entry is tagged with the database's write generation when its read began; any committed write
/// bumps the generation before it is acknowledged, so an entry is served only while no write has happened since.
/// </summary>
internal sealed class CurrentVersionCache
{
    public const int MaxEntries = 4096;
    public const int MaxCiphertextBytes = 16 * 1024;

    private readonly ConcurrentDictionary<SecretAddress, Entry> entries = new();

    public StoredVersion? Find(SecretAddress address, long generation) =>
        entries.TryGetValue(address, out var entry) && entry.Generation == generation ? entry.Stored : null;

    public void Remember(SecretAddress address, long generation, StoredVersion stored)
    {
        // Bounded by count and entry size, so a cache of sealed data never grows past about 64 MiB.
        if (stored.Payload is { } payload && payload.Ciphertext.Length > MaxCiphertextBytes)
        {
            return;
        }

        if (entries.Count >= MaxEntries && !entries.ContainsKey(address))
        {
            entries.Clear();
        }

        entries[address] = new Entry(generation, stored);
    }

    private sealed record Entry(long Generation, StoredVersion Stored);
}
