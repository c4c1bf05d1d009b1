using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coffer.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Hosting;

public sealed class ServerOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-options-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(true, "0.0.0.0:8200", null, null, null, false, "InvalidListen")]
    [InlineData(true, "127.0.0.1", null, null, null, false, "InvalidListen")]
    [InlineData(false, "localhost:8200", "/d", null, null, true, "InvalidListen")]
    [InlineData(false, "127.0.0.1:99999", "/d", null, null, true, "InvalidListen")]
    [InlineData(false, "127.0.0.1:8200", null, null, null, true, "MissingData")]
    [InlineData(false, "127.0.0.1:8200", "/d", null, null, false, "TlsRequired")]
    [InlineData(false, "127.0.0.1:8200", "/d", "c.pem", null, false, "InvalidTls")]
    [InlineData(false, "127.0.0.1:8200", "/d", null, "k.pem", false, "InvalidTls")]
    [InlineData(false, "127.0.0.1:8200", "/d", "c.pem", "k.pem", true, "InvalidTls")]
    [InlineData(false, "0.0.0.0:8200", "/d", null, null, true, "InsecureListen")]
    [InlineData(false, "[::]:8200", "/d", null, null, true, "InsecureListen")]
    public void Validate_BadCombination_StatesTheRule(bool dev, string listen, string? data, string? cert, string? key, bool insecure, string reason)
    {
        var options = new CofferServerOptions { Dev = dev, Listen = listen, DataDirectory = data, TlsCertificatePath = cert, TlsKeyPath = key, InsecureListen = insecure };
        var error = Assert.Throws<CofferException>(options.Validate);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
    }

    [Theory]
    [InlineData(true, "127.0.0.1:0", null, null, null, false)]
    [InlineData(true, "[::1]:8200", "/d", null, null, false)]
    [InlineData(false, "127.0.0.1:8200", "/d", null, null, true)]
    [InlineData(false, "0.0.0.0:8200", "/d", "c.pem", "k.pem", false)]
    public void Validate_GoodCombination_Passes(bool dev, string listen, string? data, string? cert, string? key, bool insecure)
    {
        var options = new CofferServerOptions { Dev = dev, Listen = listen, DataDirectory = data, TlsCertificatePath = cert, TlsKeyPath = key, InsecureListen = insecure };
        options.Validate();
    }

    [Fact]
    public async Task Start_WithTls_ServesHttpsWithThatCertificate()
    {
        using var certificate = WriteSelfSignedPair(out var certPath, out var keyPath);
        await using var server = await CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "data"), TlsCertificatePath = certPath, TlsKeyPath = keyPath, LogLevel = LogLevel.Warning },
            TextWriter.Null,
            CancellationToken.None);
        Assert.Equal("https", server.Address.Scheme);

        string? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                presented = cert?.Thumbprint;
                return cert is not null && cert.Thumbprint == certificate.Thumbprint;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server.Address };
        using var response = await client.GetAsync("/v1/sys/seal-status");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(certificate.Thumbprint, presented);

        // Plain HTTP to the TLS port gets no API answer.
        using var plain = new HttpClient { BaseAddress = new UriBuilder(server.Address) { Scheme = "http" }.Uri };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/v1/sys/seal-status"));
    }

    [Fact]
    public async Task Start_WithoutTlsOrInsecure_RefusedBeforeTouchingDisk()
    {
        var data = Path.Combine(folder, "data");
        var error = await Assert.ThrowsAsync<CofferException>(() => CofferServer.StartAsync(
            new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = data }, TextWriter.Null, CancellationToken.None));
        Assert.Equal("TlsRequired", error.Reason);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task Dev_WithoutData_UsesTemporaryFolderRemovedOnStop()
    {
        var output = new StringWriter();
        var server = await CofferServer.StartAsync(new CofferServerOptions { Dev = true, Listen = "127.0.0.1:0", LogLevel = LogLevel.Warning }, output, CancellationToken.None);
        var line = output.ToString().Split('\n').Single(l => l.StartsWith("Data: ", StringComparison.Ordinal));
        var data = line["Data: ".Length..line.IndexOf(" (temporary", StringComparison.Ordinal)];
        Assert.True(File.Exists(Path.Combine(data, "coffer.db")), output.ToString());
        Assert.Equal("127.0.0.1", server.Address.Host);
        Assert.Contains("Root token: cfr_", output.ToString(), StringComparison.Ordinal);
        await server.DisposeAsync();
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task Dev_OnInitialisedData_RefusedAndDataKept()
    {
        var real = new CofferServerOptions { Listen = "127.0.0.1:0", DataDirectory = Path.Combine(folder, "data"), InsecureListen = true, LogLevel = LogLevel.Warning };
        await using (var server = await CofferServer.StartAsync(real, TextWriter.Null, CancellationToken.None))
        {
            using var client = new HttpClient { BaseAddress = server.Address };
            using var init = await client.PostAsync("/v1/sys/init", new StringContent("""{"shares":1,"threshold":1}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(init.IsSuccessStatusCode);
        }

        var error = await Assert.ThrowsAsync<CofferException>(() => CofferServer.StartAsync(
            real with { Dev = true, InsecureListen = false }, TextWriter.Null, CancellationToken.None));
        Assert.Equal("AlreadyInitialized", error.Reason);

        await using var again = await CofferServer.StartAsync(real, TextWriter.Null, CancellationToken.None);
        using var check = new HttpClient { BaseAddress = again.Address };
        Assert.Contains("\"initialized\":true", await check.GetStringAsync("/v1/sys/seal-status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerCommand_MissingData_ExitCode2WithMessage()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Coffer.Cli.CofferCommandLine.InvokeAsync(["server", "--insecure-listen", "--listen", "127.0.0.1:0"], output, error, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("--data (or --postgres) is required", error.ToString(), StringComparison.Ordinal);
    }

    private X509Certificate2 WriteSelfSignedPair(out string certPath, out string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        certPath = Path.Combine(folder, "tls.crt");
        keyPath = Path.Combine(folder, "tls.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return certificate;
    }
}
