using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coffer.Kubernetes.Kms;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using V2;

namespace Coffer.Kubernetes.Tests.Kms;

/// <summary>Forwarding to a Coffer server over TLS whose certificate chains to a private CA the plugin is given.</summary>
public sealed class ForwardingOverTlsTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-kmst-").FullName;
    private X509Certificate2 ca = null!;
    private DevServer server = null!;

    public async Task InitializeAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var caKey = ECDsa.Create();
        var caRequest = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        using var leafKey = ECDsa.Create();
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        using var leaf = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var certPath = Path.Combine(folder, "tls.crt");
        var keyPath = Path.Combine(folder, "tls.key");
        await File.WriteAllTextAsync(certPath, leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, leafKey.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        server = await DevServer.StartAsync(configure: (_, options) => options with { TlsCertificatePath = certPath, TlsKeyPath = keyPath });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        ca.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task TrustedCa_RoundTripsThroughTheTlsServer()
    {
        using var backend = new CofferServerKmsBackend(server.Server.Address, server.RootToken, X509CertificateLoader.LoadCertificate(ca.RawData));
        await using var plugin = await KmsPlugin.StartAsync($"unix://{folder}/kms.sock", backend, LogLevel.Critical, CancellationToken.None);
        using var channel = UnixSocketChannel.Create(plugin.SocketPath);
        var client = new KeyManagementService.KeyManagementServiceClient(channel);
        var dek = RandomNumberGenerator.GetBytes(32);

        var status = await client.StatusAsync(new StatusRequest());
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek) });
        var decrypted = await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId });

        Assert.Equal("https", server.Server.Address.Scheme);
        Assert.Equal("ok", status.Healthz);
        Assert.Equal(dek, decrypted.Plaintext.ToByteArray());
    }

    [Fact]
    public async Task UntrustedServerCertificate_IsUnhealthy()
    {
        using var otherKey = ECDsa.Create();
        using var other = new CertificateRequest("CN=other-ca", otherKey, HashAlgorithmName.SHA256).CreateSelfSigned(TimeProvider.System.GetUtcNow().AddMinutes(-5), TimeProvider.System.GetUtcNow().AddDays(1));
        using var wrongCa = new CofferServerKmsBackend(server.Server.Address, server.RootToken, X509CertificateLoader.LoadCertificate(other.RawData));
        using var systemRoots = new CofferServerKmsBackend(server.Server.Address, server.RootToken);

        var wrong = await wrongCa.GetHealthAsync(CancellationToken.None);
        var system = await systemRoots.GetHealthAsync(CancellationToken.None);

        Assert.StartsWith("the coffer server is unreachable", wrong.Problem, StringComparison.Ordinal);
        Assert.StartsWith("the coffer server is unreachable", system.Problem, StringComparison.Ordinal);
    }
}
