using Coffer.Core.Secrets;

namespace Coffer.Storage;

public sealed record WrappedKeyRow(SecretAddress Address, long Version, int KeyId, byte[] WrappedKey);
