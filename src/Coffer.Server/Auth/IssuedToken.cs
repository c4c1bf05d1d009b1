using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Tokens;

namespace Coffer.Server.Auth;

/// <summary>Makes tokens: <c>cfr_</c> and 32 random bytes in base64url, so scanners can recognise a leaked one.</summary>
internal static class IssuedToken
{
    public const string Prefix = "cfr_";
    public const int MaxLength = 128;

    public static (string Token, TokenRecord Record) Create(string displayName, bool isRoot, DateTimeOffset now, DateTimeOffset? expiresAt, string? parentAccessor)
    {
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var accessor = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return (token, new TokenRecord(Hash(token), accessor, displayName, isRoot, now, expiresAt, parentAccessor));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
