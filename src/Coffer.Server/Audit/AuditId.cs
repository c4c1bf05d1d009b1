using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Server.Audit;

/// <summary>
/// UUIDv7 ids for audit entries, as 32 hex digits. Guid.CreateVersion7 reads /dev/urandom with a system call per id on
/// Linux. RandomNumberGenerator costs about 2 µs a call whatever the size (measured: 10 bytes 2.1 µs, 4 KiB 2.8 µs),
/// so each thread draws a block and takes an id's 10 random bytes from it: a read request's id then costs nanoseconds.
/// </summary>
internal static class AuditId
{
    private const int RandomBytesPerId = 10;
    private const int BlockBytes = RandomBytesPerId * 400;

    [ThreadStatic]
    private static byte[]? block;

    [ThreadStatic]
    private static int used;

    public static string New(DateTimeOffset now)
    {
        Span<byte> id = stackalloc byte[16];
        // RFC 9562: 48 bits of Unix milliseconds, then random bits with the version and variant set.
        BinaryPrimitives.WriteInt64BigEndian(id[..8], now.ToUnixTimeMilliseconds() << 16);
        TakeRandom(id[6..]);
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return Convert.ToHexStringLower(id);
    }

    /// <summary>Fills <paramref name="destination"/> with bytes never handed out before, refilling the thread's block when spent.</summary>
    private static void TakeRandom(Span<byte> destination)
    {
        if (block is null || used + destination.Length > block.Length)
        {
            block ??= new byte[BlockBytes];
            RandomNumberGenerator.Fill(block);
            used = 0;
        }

        block.AsSpan(used, destination.Length).CopyTo(destination);
        used += destination.Length;
    }
}
