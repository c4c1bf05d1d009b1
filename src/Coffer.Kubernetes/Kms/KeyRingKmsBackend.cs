using Coffer.Crypto.Envelope;
using Coffer.Crypto.Keys;

namespace Coffer.Kubernetes.Kms;

/// <summary>Holds the key ring in this process; <paramref name="ring"/> answers null while sealed.</summary>
public sealed class KeyRingKmsBackend(Func<KeyRing?> ring) : IKmsBackend
{
    public const string SealedProblem = "coffer is sealed";

    public Task<KmsHealth> GetHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ring() is { } current
            ? new KmsHealth(DataKeyWrapper.KeyIdOf(current.Current), null)
            : new KmsHealth(null, SealedProblem));

    public Task<WrappedDataKey> EncryptAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken) =>
        Task.FromResult(DataKeyWrapper.Wrap(Unsealed(), plaintext.Span));

    public Task<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken) =>
        Task.FromResult(DataKeyWrapper.Unwrap(Unsealed(), keyId, ciphertext.Span));

    private KeyRing Unsealed() => ring() ?? throw new KmsUnavailableException(SealedProblem);
}
