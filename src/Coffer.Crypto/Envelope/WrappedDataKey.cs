namespace Coffer.Crypto.Envelope;

/// <param name="KeyId">The name of the key-encryption key that wrapped it, as <see cref="DataKeyWrapper.KeyIdOf"/> spells it.</param>
public sealed record WrappedDataKey(string KeyId, byte[] Ciphertext);
