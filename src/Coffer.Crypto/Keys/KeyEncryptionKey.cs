namespace Coffer.Crypto.Keys;

/// <summary>
/// One key of the ring. A retired key keeps its id and dates but no material.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int KeyLength = 32;

    internal KeyEncryptionKey(int id, DateTimeOffset createdAt, DateTimeOffset? retiredAt, byte[]? material)
    {
        Id = id;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
        Material = material;
    }

    public int Id { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RetiredAt { get; }

    public bool IsRetired => Material is null;

    internal byte[]? Material { get; }

    /// <summary>Never prints key material.</summary>
    public override string ToString() => $"kek-{Id}";
}
