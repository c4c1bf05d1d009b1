using System.Security.Cryptography;

namespace Coffer.Crypto.Sealing;

/// <summary>
/// Every sealing key kept, oldest first: the newest seals, all of them unseal, so values sealed before a renewal
/// stay readable. Renewal adds a key every <see cref="RenewalPeriod"/> and never drops one.
/// </summary>
public sealed class SealingKeySet(IReadOnlyList<SealingKey> keys)
{
    public static readonly TimeSpan RenewalPeriod = TimeSpan.FromDays(30);

    public IReadOnlyList<SealingKey> Keys { get; } = keys.Count > 0 ? keys : throw new ArgumentException("a key set holds at least one key", nameof(keys));

    public SealingKey Current => Keys[^1];

    public bool NeedsRenewal(DateTimeOffset now) => now - Current.CreatedAt >= RenewalPeriod;

    /// <summary>Tries the newest key first, as the controller does; none fits: <see cref="CryptographicException"/>.</summary>
    public byte[] Unseal(ReadOnlySpan<byte> ciphertext, byte[] label)
    {
        for (var i = Keys.Count - 1; i >= 0; i--)
        {
            try
            {
                return Keys[i].Unseal(ciphertext, label);
            }
            catch (CryptographicException) when (i > 0)
            {
                // Sealed to an older key, or not for this scope: try the next one.
            }
        }

        throw new CryptographicException("no sealing key opens this value");
    }
}
