using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Sealing;

namespace Coffer.Kubernetes.Tests.Sealing;

/// <summary>Against implementations we did not write: @linode/kubeseal-encrypt seals, and node's own crypto opens by the published format.</summary>
public sealed class KubesealCompatibilityTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-seal-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task KubesealEncrypt_SealsWithCofferCertificate_CofferUnseals()
    {
        var publicKey = NodeScript.WritePrivateFile(folder, "public.pem", SealingCertificate.PublicKeyPem(SealingFixture.Key.CertificatePem));

        var sealedValue = await NodeScript.RunAsync("seal-with-kubeseal-encrypt.mjs", "p@ssw0rd-é", publicKey, "team-a");
        var sealedSecret = JsonNode.Parse("""
            {"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret",
             "metadata":{"name":"db","namespace":"team-a","uid":"u-1","annotations":{"sealedsecrets.bitnami.com/namespace-wide":"true"}},
             "spec":{"encryptedData":{"password":"SEALED"},"template":{"metadata":{"name":"db","namespace":"team-a"}}}}
            """.Replace("SEALED", sealedValue, StringComparison.Ordinal))!.AsObject();
        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, SealingFixture.Keys, SealingFixture.Now);

        Assert.True(conversion.Succeeded, conversion.Status.ToJsonString());
        Assert.Equal("p@ssw0rd-é", Encoding.UTF8.GetString(Convert.FromBase64String(conversion.Secret!["data"]!["password"]!.GetValue<string>())));
    }

    [Fact]
    public async Task KubesealEncrypt_SealedForAnotherNamespace_CofferRefuses()
    {
        var publicKey = NodeScript.WritePrivateFile(folder, "public.pem", SealingCertificate.PublicKeyPem(SealingFixture.Key.CertificatePem));

        var sealedValue = await NodeScript.RunAsync("seal-with-kubeseal-encrypt.mjs", "v", publicKey, "team-b");

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SealingFixture.Keys.Unseal(Convert.FromBase64String(sealedValue), "team-a"u8.ToArray()));
    }

    [Theory]
    [InlineData(SealingScope.Strict, "team-a/db")]
    [InlineData(SealingScope.NamespaceWide, "team-a")]
    [InlineData(SealingScope.ClusterWide, "")]
    public async Task CofferSeal_OpenedByIndependentDecryption_GivesTheValue(SealingScope scope, string label)
    {
        var secret = ManifestText.Parse("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: \"hunter2 ünïcode\"\n");
        using var publicKey = SealingCertificate.LoadPublicKey(SealingFixture.Key.CertificatePem);
        var sealedSecret = SecretSealer.Seal(secret, publicKey, scope);
        var privateKey = NodeScript.WritePrivateFile(folder, "private.pem", SealingFixture.Key.ExportPrivateKeyPem());

        var opened = await NodeScript.RunAsync("open-sealed-value.mjs", sealedSecret["spec"]!["encryptedData"]!["password"]!.GetValue<string>(), privateKey, label);

        Assert.Equal("hunter2 ünïcode", Encoding.UTF8.GetString(Convert.FromBase64String(opened)));
    }
}
