using System.Security.Cryptography;

namespace Coffer.Crypto.Sharing;

/// <summary>
/// Shamir's secret sharing over GF(2^8) with the AES polynomial, byte by byte.
/// A share is its x coordinate (1..255) followed by one y byte per secret byte.
/// </summary>
public static class ShamirSecretSharing
{
    public const int MaxShares = 255;

    private static readonly byte[] Exp = new byte[510];
    private static readonly byte[] Log = new byte[256];

#pragma warning disable CA1810 // The tables are computed once; a static constructor keeps that in one place.
    static ShamirSecretSharing()
#pragma warning restore CA1810
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = (byte)x;
            Exp[i + 255] = (byte)x;
            Log[x] = (byte)i;
            x ^= x << 1; // multiply by the generator 3
            if ((x & 0x100) != 0)
            {
                x ^= 0x11B;
            }
        }
    }

    public static byte[][] Split(ReadOnlySpan<byte> secret, int shares, int threshold)
    {
        if (secret.IsEmpty)
        {
            throw new ArgumentException("the secret must not be empty", nameof(secret));
        }

        if (threshold < 1 || shares < threshold || shares > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(shares), $"need 1 <= threshold <= shares <= {MaxShares}");
        }

        var result = new byte[shares][];
        for (var s = 0; s < shares; s++)
        {
            result[s] = new byte[secret.Length + 1];
            result[s][0] = (byte)(s + 1);
        }

        var coefficients = new byte[threshold];
        try
        {
            for (var b = 0; b < secret.Length; b++)
            {
                coefficients[0] = secret[b];
                RandomNumberGenerator.Fill(coefficients.AsSpan(1));
                for (var s = 0; s < shares; s++)
                {
                    result[s][b + 1] = Evaluate(coefficients, result[s][0]);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }

        return result;
    }

    /// <summary>Interpolates the secret at x = 0. With fewer than the threshold it returns unrelated bytes.</summary>
    public static byte[] Combine(IReadOnlyList<byte[]> shares)
    {
        if (shares.Count == 0)
        {
            throw new ArgumentException("at least one share is needed", nameof(shares));
        }

        var length = shares[0].Length;
        if (length < 2 || shares.Any(s => s.Length != length))
        {
            throw new ArgumentException("shares must all have the same length", nameof(shares));
        }

        if (shares.Any(s => s[0] == 0) || shares.Select(s => s[0]).Distinct().Count() != shares.Count)
        {
            throw new ArgumentException("shares must have distinct, non-zero x coordinates", nameof(shares));
        }

        var secret = new byte[length - 1];
        for (var b = 0; b < secret.Length; b++)
        {
            byte value = 0;
            for (var i = 0; i < shares.Count; i++)
            {
                // Lagrange basis at zero: prod x_j / (x_j - x_i); subtraction is xor in GF(2^8).
                byte basis = 1;
                for (var j = 0; j < shares.Count; j++)
                {
                    if (i != j)
                    {
                        basis = Multiply(basis, Divide(shares[j][0], (byte)(shares[j][0] ^ shares[i][0])));
                    }
                }

                value ^= Multiply(shares[i][b + 1], basis);
            }

            secret[b] = value;
        }

        return secret;
    }

    private static byte Evaluate(byte[] coefficients, byte x)
    {
        byte result = 0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            result = (byte)(Multiply(result, x) ^ coefficients[i]);
        }

        return result;
    }

    private static byte Multiply(byte a, byte b) =>
        a == 0 || b == 0 ? (byte)0 : Exp[Log[a] + Log[b]];

    private static byte Divide(byte a, byte b) =>
        a == 0 ? (byte)0 : Exp[Log[a] + 255 - Log[b]];
}
