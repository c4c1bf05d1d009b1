namespace Coffer.Storage;

/// <summary>One generation of the key ring, encrypted under the root key.</summary>
public sealed record StoredKeyRing(long Generation, byte[] Blob, DateTimeOffset CreatedAt);
