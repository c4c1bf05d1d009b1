using System.Security.Cryptography;
using Coffer.Core.Errors;

namespace Coffer.Core.Generators;

/// <summary>Random keys and tokens as text, from <see cref="RandomNumberGenerator"/>.</summary>
public static class RandomBytesGenerator
{
    public const int MaxBytes = 64 * 1024;

    public static string Generate(int count, RandomBytesEncoding encoding)
    {
        if (count is < 1 or > MaxBytes)
        {
            throw CofferException.Invalid("InvalidGenerator", $"bytes must be between 1 and {MaxBytes}", "bytes");
        }

        var bytes = RandomNumberGenerator.GetBytes(count);
        try
        {
            return encoding == RandomBytesEncoding.Hex ? Convert.ToHexStringLower(bytes) : Convert.ToBase64String(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
