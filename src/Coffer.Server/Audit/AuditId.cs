using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Server.Audit;

/// <summary>
/// UUIDv7 ids for audit entries, as 32 hex digits. Guid.CreateVersion7 reads /dev/urandom with a system call per id on
/// Linux; RandomNumberGenerator draws from the crypto library's generator in process, which every read request can afford.
/// </summary>
internal static class AuditId
{
    public static string New(DateTimeOffset now)
    {
        Span<byte> id = stackalloc byte[16];
        // RFC 9562: 48 bits of Unix milliseconds, then random bits with the version and variant set.
        BinaryPrimitives.WriteInt64BigEndian(id[..8], now.ToUnixTimeMilliseconds() << 16);
        RandomNumberGenerator.Fill(id[6..]);
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return Convert.ToHexStringLower(id);
    }
}
