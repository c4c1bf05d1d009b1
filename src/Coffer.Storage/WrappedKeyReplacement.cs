namespace Coffer.Storage;

public sealed record WrappedKeyReplacement(WrappedKeyRow Old, int NewKeyId, byte[] NewWrappedKey);
