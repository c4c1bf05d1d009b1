using System.Security.Cryptography;
using System.Text;

namespace Coffer.Server.Audit;

/// <summary>
/// HMAC-SHA256 under the installation's audit key, which stands in for every value the audit log would otherwise
/// hold: equal values give equal MACs, so an operator can check a known value (<c>coffer audit hash</c>) without
/// the log revealing any. The key lives in a mode-0600 file beside the signing key.
/// </summary>
internal sealed class AuditHasher
{
    public const string Prefix = "hmac-sha256:";
    private readonly byte[] key;

    private AuditHasher(byte[] key) => this.key = key;

    public static AuditHasher LoadOrCreate(string directory)
    {
        var path = Path.Combine(directory, "audit-hmac-key");
        if (File.Exists(path))
        {
            return new AuditHasher(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = RandomNumberGenerator.GetBytes(32);
        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
        }

        return new AuditHasher(key);
    }

    public string Hash(ReadOnlySpan<byte> value)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, value, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    public IReadOnlyDictionary<string, string> HashAll(IEnumerable<KeyValuePair<string, byte[]>> values) =>
        values.ToDictionary(v => v.Key, v => Hash(v.Value), StringComparer.Ordinal);
}
