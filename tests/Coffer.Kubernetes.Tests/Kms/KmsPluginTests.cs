using System.Security.Cryptography;
using Coffer.Crypto.Keys;
using Coffer.Kubernetes.Kms;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using V2;

namespace Coffer.Kubernetes.Tests.Kms;

/// <summary>The plugin holding the key ring itself, driven by the client generated from the same proto over a real unix socket.</summary>
public sealed class KmsPluginTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-kms-").FullName;
    private KeyRing? ring = KeyRing.CreateNew(Start);
    private KmsPlugin plugin = null!;
    private GrpcChannel channel = null!;
    private KeyManagementService.KeyManagementServiceClient client = null!;

    public async Task InitializeAsync()
    {
        plugin = await KmsPlugin.StartAsync($"unix://{folder}/kms.sock", new KeyRingKmsBackend(() => ring), LogLevel.Critical, CancellationToken.None);
        channel = UnixSocketChannel.Create(plugin.SocketPath);
        client = new KeyManagementService.KeyManagementServiceClient(channel);
    }

    public async Task DisposeAsync()
    {
        channel.Dispose();
        await plugin.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Status_Unsealed_ReportsV2OkAndCurrentKeyId()
    {
        var status = await client.StatusAsync(new StatusRequest());

        Assert.Equal("v2", status.Version);
        Assert.Equal("ok", status.Healthz);
        Assert.Equal("coffer-kek-1", status.KeyId);
    }

    [Fact]
    public async Task EncryptThenDecrypt_DataKey_RoundTrips()
    {
        var dek = RandomNumberGenerator.GetBytes(32);

        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek), Uid = "u1" });
        var decrypted = await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId, Uid = "u2" });

        Assert.Equal("coffer-kek-1", encrypted.KeyId);
        Assert.Equal(dek, decrypted.Plaintext.ToByteArray());
        Assert.False(encrypted.Ciphertext.Span.IndexOf(dek) >= 0);
        Assert.Empty(encrypted.Annotations);
    }

    [Fact]
    public async Task Encrypt_SameDataKeyTwice_GivesDifferentCiphertexts()
    {
        var dek = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32));

        var first = await client.EncryptAsync(new EncryptRequest { Plaintext = dek });
        var second = await client.EncryptAsync(new EncryptRequest { Plaintext = dek });

        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public async Task Decrypt_AfterRotation_OldCiphertextStillDecryptsAndKeyIdChanges()
    {
        var dek = RandomNumberGenerator.GetBytes(32);
        var before = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek) });

        ring = ring!.Rotate(Start.AddDays(1));
        var status = await client.StatusAsync(new StatusRequest());
        var after = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(dek) });
        var old = await client.DecryptAsync(new DecryptRequest { Ciphertext = before.Ciphertext, KeyId = before.KeyId });
        var fresh = await client.DecryptAsync(new DecryptRequest { Ciphertext = after.Ciphertext, KeyId = after.KeyId });

        Assert.Equal("coffer-kek-2", status.KeyId);
        Assert.Equal("coffer-kek-2", after.KeyId);
        Assert.Equal(dek, old.Plaintext.ToByteArray());
        Assert.Equal(dek, fresh.Plaintext.ToByteArray());
    }

    [Fact]
    public async Task Decrypt_KeyRetiredFromTheRing_IsRefused()
    {
        var before = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        ring = ring!.Rotate(Start.AddDays(1)).Retire(1, Start.AddDays(2));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = before.Ciphertext, KeyId = before.KeyId }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(30)]
    [InlineData(-1)]
    public async Task Decrypt_TamperedCiphertext_IsRefused(int index)
    {
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        var bytes = encrypted.Ciphertext.ToByteArray();
        bytes[index < 0 ? bytes.Length - 1 : index] ^= 0x01;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = ByteString.CopyFrom(bytes), KeyId = encrypted.KeyId }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Theory]
    [InlineData("coffer-kek-7")]
    [InlineData("coffer-kek-2")]
    [InlineData("someone-elses-key")]
    [InlineData("")]
    public async Task Decrypt_UnknownOrMismatchedKeyId_IsRefused(string keyId)
    {
        ring = ring!.Rotate(Start.AddDays(1));
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        var forged = keyId == "coffer-kek-2" ? "coffer-kek-1" : keyId;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = forged }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(5000)]
    public async Task Decrypt_MalformedOrOversizedCiphertext_IsRefused(int length)
    {
        var bytes = new byte[length];
        "CFKM"u8.ToArray().AsSpan(0, Math.Min(4, length)).CopyTo(bytes);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = ByteString.CopyFrom(bytes), KeyId = "coffer-kek-1" }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    public async Task Encrypt_EmptyOrOversizedPlaintext_IsRefused(int length)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(new byte[length]) }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Encrypt_MessageOverTheSizeLimit_IsRefused()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(new byte[100_000]) }));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task WhileSealed_StatusIsUnhealthyAndOperationsAreUnavailable()
    {
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)) });
        var kept = ring;
        ring = null;

        var status = await client.StatusAsync(new StatusRequest());
        var encrypt = await Assert.ThrowsAsync<RpcException>(async () => await client.EncryptAsync(new EncryptRequest { Plaintext = ByteString.CopyFrom(new byte[32]) }));
        var decrypt = await Assert.ThrowsAsync<RpcException>(async () => await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId }));
        ring = kept;
        var unsealed = await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId });

        Assert.Equal("v2", status.Version);
        Assert.NotEqual("ok", status.Healthz);
        Assert.Equal(StatusCode.Unavailable, encrypt.StatusCode);
        Assert.Equal(StatusCode.Unavailable, decrypt.StatusCode);
        Assert.Equal(32, unsealed.Plaintext.Length);
    }

    [Fact]
    public void Socket_IsOwnerOnly()
    {
        var mode = File.GetUnixFileMode(plugin.SocketPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Theory]
    [InlineData("relative/kms.sock")]
    [InlineData("unix://")]
    [InlineData("tcp://127.0.0.1:1234")]
    public void SocketPathOf_NotAnAbsoluteUnixPath_IsRefused(string listen) =>
        Assert.Throws<ArgumentException>(() => KmsPlugin.SocketPathOf(listen));
}
