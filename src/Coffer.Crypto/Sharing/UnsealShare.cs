using System.Security.Cryptography;

namespace Coffer.Crypto.Sharing;

/// <summary>The text form of one unseal share: base64 of the Shamir share bytes.</summary>
public static class UnsealShare
{
    public const int RootKeyLength = 32;

    public static string Encode(byte[] share) => Convert.ToBase64String(share);

    /// <summary>Parses a share; returns null when the text is not one (the text is never echoed).</summary>
    public static byte[]? TryDecode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 256)
        {
            return null;
        }

        var buffer = new byte[192];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written != RootKeyLength + 1 || buffer[0] == 0)
        {
            CryptographicOperations.ZeroMemory(buffer);
            return null;
        }

        var share = buffer[..written];
        CryptographicOperations.ZeroMemory(buffer);
        return share;
    }
}
