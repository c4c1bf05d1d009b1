using System.Security.Cryptography;
using Coffer.Kubernetes.Kms;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using V2;

namespace Coffer.Kubernetes.Tests.Kms;

/// <summary>The plugin forwarding to a real Coffer server with a token: the key ring never leaves the server.</summary>
public sealed class ForwardingKmsPluginTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-kmsf-").FullName;
    private DevServer server = null!;
    private CofferServerKmsBackend backend = null!;
    private KmsPlugin plugin = null!;
    private GrpcChannel channel = null!;
    private KeyManagementService.KeyManagementServiceClient client = null!;

    public async Task InitializeAsync()
    {
        server = await DevServer.StartAsync();
        backend = new CofferServerKmsBackend(server.Server.Address, server.RootToken);
        plugin = await KmsPlugin.StartAsync($"unix://{folder}/kms.sock", backend, LogLevel.Critical, CancellationToken.None);
        channel = UnixSocketChannel.Create(plugin.SocketPath);
        client = new KeyManagementService.KeyManagementServiceClient(channel);
    }

    public async Task DisposeAsync()
    {
        channel.Dispose();
        await plugin.DisposeAsync();
        backend.Dispose();
        await server.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task EncryptThenDecrypt_ThroughTheServer_RoundTrips()
    {
        var dek = RandomNumberGenerator.GetBytes(32);

        var status = await client.StatusAsync(new StatusRequest());
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek), Uid = "a" });
        var decrypted = await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId, Uid = "b" });

        Assert.Equal(("v2", "ok", "coffer-kek-1"), (status.Version, status.Healthz, status.KeyId));
        Assert.Equal("coffer-kek-1", encrypted.KeyId);
        Assert.Equal(dek, decrypted.Plaintext.ToByteArray());
    }

    [Fact]
    public async Task ServerRotates_KeyIdChangesAndOldCiphertextStillDecrypts()
    {
        var dek = RandomNumberGenerator.GetBytes(32);
        var before = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek) });

        (await server.Client.PostAsync("/v1/sys/keys/rotate", null)).EnsureSuccessStatusCode();
        var status = await client.StatusAsync(new StatusRequest());
        var old = await client.DecryptAsync(new DecryptRequest { Ciphertext = before.Ciphertext, KeyId = before.KeyId });

        Assert.Equal("coffer-kek-2", status.KeyId);
        Assert.Equal(dek, old.Plaintext.ToByteArray());
    }

    [Fact]
    public async Task TamperedOrUnknownKeyId_IsRefused()
    {
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        var tampered = encrypted.Ciphertext.ToByteArray();
        tampered[^1] ^= 1;

        var e1 = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = ByteString.CopyFrom(tampered), KeyId = encrypted.KeyId }));
        var e2 = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = "coffer-kek-9" }));

        Assert.Equal(StatusCode.InvalidArgument, e1.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, e2.StatusCode);
    }

    [Fact]
    public async Task ServerSealed_StatusUnhealthyAndEncryptUnavailable()
    {
        (await server.Client.PostAsync("/v1/sys/seal", null)).EnsureSuccessStatusCode();

        var status = await client.StatusAsync(new StatusRequest());
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(new byte[32]) }));

        Assert.Equal("coffer is sealed", status.Healthz);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task ServerUnreachable_StatusUnhealthyAndDecryptUnavailable()
    {
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        await server.StopAsync();

        var status = await client.StatusAsync(new StatusRequest());
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId }));

        Assert.StartsWith("the coffer server is unreachable", status.Healthz, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task TokenRefused_StatusUnhealthy()
    {
        using var refused = new CofferServerKmsBackend(server.Server.Address, "not-a-token");

        var health = await refused.GetHealthAsync(CancellationToken.None);

        Assert.False(health.IsHealthy);
        Assert.Contains("401", health.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"plaintext":"%%%"}""", "/v1/kms/encrypt")]
    [InlineData("""{"plaintext":""}""", "/v1/kms/encrypt")]
    [InlineData("""{"plaintext":1}""", "/v1/kms/encrypt")]
    [InlineData("""{"plaintext":"AA==","extra":1}""", "/v1/kms/encrypt")]
    [InlineData("""{"ciphertext":"AAAA"}""", "/v1/kms/decrypt")]
    [InlineData("""{"ciphertext":"AAAA","keyId":"coffer-kek-1"}""", "/v1/kms/decrypt")]
    [InlineData("""[1]""", "/v1/kms/decrypt")]
    public async Task ServerEndpoints_BadInput_Get400(string body, string path)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await server.Client.PostAsync(path, content);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ServerEndpoints_OversizedBody_Get413()
    {
        using var content = new StringContent($$"""{"plaintext":"{{new string('A', 20_000)}}"}""", System.Text.Encoding.UTF8, "application/json");

        var response = await server.Client.PostAsync("/v1/kms/encrypt", content);

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
