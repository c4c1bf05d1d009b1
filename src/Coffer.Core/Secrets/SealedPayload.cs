namespace Coffer.Core.Secrets;

/// <summary>One version's data at rest: the data key wrapped by a key-encryption key, and the data under the data key.</summary>
public sealed record SealedPayload(int KeyId, byte[] WrappedKey, byte[] Ciphertext);
