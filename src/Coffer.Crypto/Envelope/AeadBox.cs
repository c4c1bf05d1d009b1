using System.Security.Cryptography;

namespace Coffer.Crypto.Envelope;

/// <summary>
/// The one AES-256-GCM layout every Coffer ciphertext uses: header | nonce | ciphertext | tag,
/// with the header always part of the associated data.
/// </summary>
internal static class AeadBox
{
    public const int NonceLength = 12;
    public const int TagLength = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        using var aes = new AesGcm(key, TagLength);
        return Seal(aes, header, context, plaintext);
    }

    /// <summary>Seals with a cipher already keyed (a fresh random nonce each call, as always).</summary>
    public static byte[] Seal(AesGcm aes, ReadOnlySpan<byte> header, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[header.Length + NonceLength + plaintext.Length + TagLength];
        var span = output.AsSpan();
        header.CopyTo(span);
        var nonce = span.Slice(header.Length, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(
            nonce,
            plaintext,
            span.Slice(header.Length + NonceLength, plaintext.Length),
            span[^TagLength..],
            AssociatedData(header, context));
        return output;
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> on any mismatch.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, int headerLength, ReadOnlySpan<byte> context)
    {
        using var aes = new AesGcm(key, TagLength);
        return Open(aes, sealedBytes, headerLength, context);
    }

    /// <summary>Decrypts with a cipher already keyed; throws <see cref="CryptographicException"/> on any mismatch.</summary>
    public static byte[] Open(AesGcm aes, ReadOnlySpan<byte> sealedBytes, int headerLength, ReadOnlySpan<byte> context)
    {
        if (sealedBytes.Length < headerLength + NonceLength + TagLength)
        {
            throw new CryptographicException("ciphertext is truncated");
        }

        var header = sealedBytes[..headerLength];
        var nonce = sealedBytes.Slice(headerLength, NonceLength);
        var ciphertext = sealedBytes[(headerLength + NonceLength)..^TagLength];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            aes.Decrypt(nonce, ciphertext, sealedBytes[^TagLength..], plaintext, AssociatedData(header, context));
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }

        return plaintext;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> context)
    {
        var ad = new byte[header.Length + context.Length];
        header.CopyTo(ad);
        context.CopyTo(ad.AsSpan(header.Length));
        return ad;
    }
}
