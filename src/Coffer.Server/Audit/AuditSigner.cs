using System.Security.Cryptography;

namespace Coffer.Server.Audit;

/// <summary>
/// The installation's checkpoint signing key: ECDSA P-256, the private half in a mode-0600 PEM file, the public half
/// beside it for <c>coffer audit verify --key</c>.
/// </summary>
internal sealed class AuditSigner : IDisposable
{
    private readonly ECDsa key;

    private AuditSigner(ECDsa key, string publicKeyPath)
    {
        this.key = key;
        PublicKeyPath = publicKeyPath;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..32];
    }

    /// <summary>Names the audit directory's log wherever its records are kept elsewhere (one key per directory).</summary>
    public string KeyId { get; }

    public string PublicKeyPath { get; }

    public string PublicKeyPem { get; }

    public static AuditSigner LoadOrCreate(string directory)
    {
        var privatePath = Path.Combine(directory, "audit-signing-key.pem");
        var publicPath = Path.Combine(directory, "audit-signing-key.pub.pem");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(privatePath))
        {
            key.ImportFromPem(File.ReadAllText(privatePath));
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using (var file = new FileStream(privatePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(key.ExportPkcs8PrivateKeyPem());
            }
        }

        var signer = new AuditSigner(key, publicPath);
        File.WriteAllText(publicPath, signer.PublicKeyPem);
        return signer;
    }

    public string Sign(long count, string head) =>
        Convert.ToBase64String(key.SignData(AuditChain.CheckpointPayload(count, head), HashAlgorithmName.SHA256));

    public void Dispose() => key.Dispose();
}
