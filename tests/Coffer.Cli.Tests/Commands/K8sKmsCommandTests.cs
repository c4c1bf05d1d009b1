using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;
using Coffer.Kubernetes.Sealing;
using Grpc.Net.Client;
using V2;

namespace Coffer.Cli.Tests.Commands;

public sealed class K8sKmsCommandTests
{
    [Fact]
    public async Task EncryptionConfig_KmsV2FirstIdentityLast_StepsOnStderr()
    {
        using var cli = new CliSession();

        var result = await cli.SucceedAsync("k8s", "encryption-config", "--endpoint", "unix:///run/coffer/kms.sock");
        var config = ManifestText.Parse(result.Output);
        var providers = config["resources"]![0]!["providers"]!.AsArray();

        Assert.Equal("apiserver.config.k8s.io/v1", config["apiVersion"]!.GetValue<string>());
        Assert.Equal("EncryptionConfiguration", config["kind"]!.GetValue<string>());
        Assert.Equal("secrets", config["resources"]![0]!["resources"]![0]!.GetValue<string>());
        Assert.Equal("v2", providers[0]!["kms"]!["apiVersion"]!.GetValue<string>());
        Assert.Equal("unix:///run/coffer/kms.sock", providers[0]!["kms"]!["endpoint"]!.GetValue<string>());
        Assert.Equal("coffer", providers[0]!["kms"]!["name"]!.GetValue<string>());
        Assert.NotNull(providers[^1]!["identity"]);
        Assert.Equal(2, providers.Count);
        Assert.Contains("kubectl get secrets --all-namespaces -o json | kubectl replace -f -", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncryptionConfig_File_IsOwnerOnlyAndStepsGoToStdout()
    {
        using var cli = new CliSession();
        var path = Path.Combine(cli.Home, "enc.yaml");

        var result = await cli.SucceedAsync("k8s", "encryption-config", "--file", path, "--resource", "secrets", "--resource", "configmaps");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("configmaps", ManifestText.Parse(await File.ReadAllTextAsync(path))["resources"]![0]!["resources"]![1]!.GetValue<string>());
        Assert.Contains("kubectl replace", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k8s", "encryption-config", "--endpoint", "relative.sock")]
    [InlineData("k8s", "encryption-config", "--timeout-seconds", "0")]
    [InlineData("k8s", "kms-plugin", "--listen", "unix:///tmp/x.sock")]
    [InlineData("k8s", "kms-plugin", "--listen", "unix:///tmp/x.sock", "--server", "http://127.0.0.1:1", "--data", "/tmp")]
    [InlineData("k8s", "kms-plugin", "--listen", "unix:///tmp/x.sock", "--server", "http://127.0.0.1:1")]
    public async Task BadOptions_ExitWithUsage(params string[] args)
    {
        using var cli = new CliSession();

        var result = await cli.RunAsync(args);

        Assert.True(result.ExitCode == CliExitCode.Usage, result.ToString());
    }

    [Fact]
    public async Task KmsPlugin_HoldingTheKeyRing_ServesOverTheSocketAndSeesARotation()
    {
        await using var server = await TestServer.StartInsecureAsync();
        using var http = new HttpClient { BaseAddress = server.Server.Address };
        var init = (await (await http.PostAsJsonAsync("/v1/sys/init", new { shares = 1, threshold = 1 })).Content.ReadFromJsonAsync<JsonObject>())!;
        var share = init["keys"]![0]!.GetValue<string>();
        (await http.PostAsJsonAsync("/v1/sys/unseal", new { key = share })).EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new("Bearer", init["rootToken"]!.GetValue<string>());
        using var cli = new CliSession();
        var keyFile = Path.Combine(cli.Home, "unseal-keys");
        await File.WriteAllTextAsync(keyFile, share + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var socket = Path.Combine(cli.Home, "kms.sock");
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment { Variables = new Dictionary<string, string>(), HomeDirectory = cli.Home };
        var data = server.DataDirectory;
        var run = CofferCommandLine.InvokeAsync(["k8s", "kms-plugin", "--listen", $"unix://{socket}", "--data", data, "--unseal-key-file", keyFile], output, error, environment, stop.Token);

        using var channel = await ConnectAsync(socket, run, error);
        var client = new KeyManagementService.KeyManagementServiceClient(channel);
        var before = await client.StatusAsync(new StatusRequest());
        var encrypted = await client.EncryptAsync(new EncryptRequest { Plaintext = Google.Protobuf.ByteString.CopyFrom(new byte[32]) });
        (await http.PostAsync("/v1/sys/keys/rotate", null)).EnsureSuccessStatusCode();
        var after = await client.StatusAsync(new StatusRequest());
        var decrypted = await client.DecryptAsync(new DecryptRequest { Ciphertext = encrypted.Ciphertext, KeyId = encrypted.KeyId });
        await stop.CancelAsync();
        var exitCode = await run;

        Assert.Equal(("v2", "ok", "coffer-kek-1"), (before.Version, before.Healthz, before.KeyId));
        Assert.Equal("coffer-kek-2", after.KeyId);
        Assert.Equal(new byte[32], decrypted.Plaintext.ToByteArray());
        Assert.Equal(0, exitCode);
        Assert.Contains("listening on unix://", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KmsPlugin_WrongUnsealKey_ExitsWithAnError()
    {
        await using var server = await TestServer.StartInsecureAsync();
        using var http = new HttpClient { BaseAddress = server.Server.Address };
        (await http.PostAsJsonAsync("/v1/sys/init", new { shares = 1, threshold = 1 })).EnsureSuccessStatusCode();
        using var cli = new CliSession();
        var keyFile = Path.Combine(cli.Home, "unseal-keys");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(new byte[33]) + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await cli.RunAsync("k8s", "kms-plugin", "--listen", $"unix://{cli.Home}/kms.sock", "--data", server.DataDirectory, "--unseal-key-file", keyFile);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Contains("unseal", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Polls until the plugin answers on its socket, or fails with what it printed.</summary>
    private static async Task<GrpcChannel> ConnectAsync(string socketPath, Task<int> run, StringWriter error)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (true)
        {
            Assert.False(run.IsCompleted, $"the plugin exited early: {error}");
            if (File.Exists(socketPath))
            {
                var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
                {
                    HttpHandler = new SocketsHttpHandler
                    {
                        ConnectCallback = async (_, ct) =>
                        {
                            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                            return new NetworkStream(socket, ownsSocket: true);
                        },
                    },
                });
                return channel;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the plugin did not create its socket in time");
            await Task.Delay(50);
        }
    }
}
