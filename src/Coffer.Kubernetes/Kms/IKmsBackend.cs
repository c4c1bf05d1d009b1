using Coffer.Crypto.Envelope;

namespace Coffer.Kubernetes.Kms;

/// <summary>Where the key-encryption key lives: a key ring in this process, or a Coffer server.</summary>
public interface IKmsBackend
{
    /// <summary>Never throws: an unreachable or sealed backend answers unhealthy.</summary>
    Task<KmsHealth> GetHealthAsync(CancellationToken cancellationToken);

    /// <exception cref="KmsUnavailableException">Sealed or unreachable.</exception>
    Task<WrappedDataKey> EncryptAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken);

    /// <exception cref="KmsUnavailableException">Sealed or unreachable.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Unknown key id, or tampered ciphertext.</exception>
    Task<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken);
}
