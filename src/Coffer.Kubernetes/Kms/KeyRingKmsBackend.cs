using Coffer.Crypto.Envelope;
using Coffer.Crypto.Keys;

namespace Coffer.Kubernetes.Kms;

/// <summary>
/// Holds the key ring in this process; <paramref name="ring"/> answers null while sealed. <paramref name="refresh"/>,
/// when given, loads a rotated ring: on every status poll (which is how kube-apiserver learns of a new key id) and
/// before giving up on a key id the ring does not know yet.
/// </summary>
public sealed class KeyRingKmsBackend(Func<KeyRing?> ring, Func<CancellationToken, Task>? refresh = null) : IKmsBackend
{
    public const string SealedProblem = "coffer is sealed";

    public async Task<KmsHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        if (refresh is not null)
        {
            try
            {
                await refresh(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any storage failure is reported as unhealthy, which is what the apiserver needs to know.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                return new KmsHealth(null, $"cannot read the key ring ({e.GetType().Name})");
            }
        }

        return ring() is { } current ? new KmsHealth(DataKeyWrapper.KeyIdOf(current.Current), null) : new KmsHealth(null, SealedProblem);
    }

    public Task<WrappedDataKey> EncryptAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken) =>
        Task.FromResult(DataKeyWrapper.Wrap(Unsealed(), plaintext.Span));

    public async Task<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken)
    {
        var current = Unsealed();
        if (refresh is not null && !Knows(current, keyId))
        {
            await refresh(cancellationToken).ConfigureAwait(false);
            current = Unsealed();
        }

        return DataKeyWrapper.Unwrap(current, keyId, ciphertext.Span);
    }

    private static bool Knows(KeyRing current, string keyId) => current.Keys.Any(k => DataKeyWrapper.KeyIdOf(k) == keyId);

    private KeyRing Unsealed() => ring() ?? throw new KmsUnavailableException(SealedProblem);
}
