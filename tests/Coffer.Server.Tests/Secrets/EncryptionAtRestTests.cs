using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sharing;
using Coffer.Server.Seal;
using Coffer.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Secrets;

/// <summary>Known values go in through the API; the raw database files must reveal neither them nor any key.</summary>
public sealed class EncryptionAtRestTests
{
    [Fact]
    public async Task DatabaseFiles_HoldNoValuesAndNoKeyMaterial()
    {
        await using var server = await TestServer.StartInsecureAsync();
        var init = await server.PostJsonAsync("/v1/sys/init", """{"shares":1,"threshold":1}""");
        var share = init["keys"]![0]!.GetValue<string>();
        var rootToken = init["rootToken"]!.GetValue<string>();
        server.UseToken(rootToken);
        await server.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = share }.ToJsonString());

        var values = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var value = $"canary-{i}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";
            values.Add(value);
            await server.PutSecretAsync("default", $"s{i}", new Dictionary<string, string> { ["password"] = value });
            if (i == 10)
            {
                await server.PostJsonAsync("/v1/sys/keys/rotate", "{}");
            }
        }

        var seal = server.Server.Services.GetRequiredService<SealState>();
        var keyMaterial = seal.Ring.Keys.Select(k => k.Material!).ToList();
        var rootKey = ShamirSecretSharing.Combine([UnsealShare.TryDecode(share)!]);
        Assert.Equal(2, keyMaterial.Count);
        Assert.Equal(values[3], (await server.GetSecretAsync("default", "s3")).Values["password"]);

        var needles = new List<(string What, byte[] Bytes)>
        {
            ("root key", rootKey),
            ("root token", Encoding.UTF8.GetBytes(rootToken)),
            ("unseal share", Encoding.UTF8.GetBytes(share)),
            ("unseal share bytes", UnsealShare.TryDecode(share)!),
        };
        needles.AddRange(keyMaterial.Select((k, i) => ($"key-encryption key {i + 1}", k)));
        foreach (var value in values)
        {
            needles.Add(("value", Encoding.UTF8.GetBytes(value)));
            needles.Add(("base64 value", Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)))));
            needles.Add(("value prefix", Encoding.UTF8.GetBytes(value[..12])));
        }

        // While running (data partly in the WAL) and after a clean stop (checkpointed into the main file).
        AssertNotOnDisk(server.DataDirectory, needles);
        await server.Server.DisposeAsync();
        AssertNotOnDisk(server.DataDirectory, needles);
        Assert.Contains(Directory.GetFiles(server.DataDirectory), f => f.EndsWith(".db", StringComparison.Ordinal) && new FileInfo(f).Length > 0);
    }

    private static void AssertNotOnDisk(string folder, List<(string What, byte[] Bytes)> needles)
    {
        var files = Directory.GetFiles(folder);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var (what, needle) in needles)
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{what} found in {Path.GetFileName(file)}");
            }
        }
    }
}
