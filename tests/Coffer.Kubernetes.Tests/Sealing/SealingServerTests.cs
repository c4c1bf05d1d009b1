using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Sealing;
using Coffer.Kubernetes.Tests.Kms;

namespace Coffer.Kubernetes.Tests.Sealing;

/// <summary>The server's sealing keys: kept in the key ring's secret store, renewed every 30 days, served as a certificate.</summary>
public sealed class SealingServerTests : IAsyncLifetime
{
    private const string SecretYaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: team-a}\nstringData: {password: hunter2}\n";
    private readonly SteppedTime time = new(TimeProvider.System.GetUtcNow());
    private DevServer server = null!;

    public async Task InitializeAsync() => server = await DevServer.StartAsync(time);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Certificate_IsServedWithoutAToken_AndStableUntilRenewal()
    {
        using var anonymous = new HttpClient { BaseAddress = server.Server.Address };

        var first = await anonymous.GetStringAsync("/v1/sealing/certificate");
        var again = await anonymous.GetStringAsync("/v1/sealing/certificate");

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", first, StringComparison.Ordinal);
        Assert.Equal(first, again);
        using var rsa = SealingCertificate.LoadPublicKey(first);
        Assert.Equal(4096, rsa.KeySize);
    }

    [Fact]
    public async Task Renewal_After30Days_NewCertificateAndOldValuesStillVerify()
    {
        var oldCertificate = await server.Client.GetStringAsync("/v1/sealing/certificate");
        var sealedOld = Seal(oldCertificate);

        time.Advance(TimeSpan.FromDays(31));
        var newCertificate = await server.Client.GetStringAsync("/v1/sealing/certificate");
        var verify = await PostAsync("/v1/sealing/verify", sealedOld);
        var stored = JsonNode.Parse(await server.Client.GetStringAsync("/v1/namespaces/coffer-system/secrets/sealing-keys"))!;

        Assert.NotEqual(oldCertificate, newCertificate);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal(["0001.crt", "0001.key", "0002.crt", "0002.key"], stored["data"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rotate_ReencryptsToTheNewestKeyKeepingTheScope()
    {
        var sealedOld = Seal(await server.Client.GetStringAsync("/v1/sealing/certificate"));
        time.Advance(TimeSpan.FromDays(31));
        var newCertificate = await server.Client.GetStringAsync("/v1/sealing/certificate");

        var response = await PostAsync("/v1/sealing/rotate", sealedOld);
        var rotated = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var verify = await PostAsync("/v1/sealing/verify", rotated);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(sealedOld["spec"]!["encryptedData"]!["password"]!.GetValue<string>(), rotated["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal(sealedOld["spec"]!["template"]!.ToJsonString(), rotated["spec"]!["template"]!.ToJsonString());
        Assert.DoesNotContain("hunter2", rotated.ToJsonString(), StringComparison.Ordinal);
        using var newKey = SealingCertificate.LoadPublicKey(newCertificate);
        var rsaBlock = Convert.FromBase64String(rotated["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        Assert.Equal(newKey.KeySize / 8, (rsaBlock[0] << 8) | rsaBlock[1]);
    }

    [Fact]
    public async Task Verify_MovedOrTampered_Is409()
    {
        var sealedSecret = Seal(await server.Client.GetStringAsync("/v1/sealing/certificate"));
        var moved = sealedSecret.DeepClone().AsObject();
        moved["metadata"]!["namespace"] = "team-b";
        var tampered = sealedSecret.DeepClone().AsObject();
        var bytes = Convert.FromBase64String(tampered["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        bytes[^1] ^= 1;
        tampered["spec"]!["encryptedData"]!["password"] = Convert.ToBase64String(bytes);

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/v1/sealing/verify", moved)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/v1/sealing/verify", tampered)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/v1/sealing/rotate", tampered)).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json or yaml: [")]
    [InlineData("""{"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret","metadata":{"name":"a","namespace":"b"},"spec":{"encryptedData":{"k":"%%%"}}}""")]
    [InlineData("""{"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret","metadata":{"name":"a","namespace":"b"},"spec":{"encryptedData":{}}}""")]
    [InlineData("""{"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret","metadata":{"name":"a"},"spec":{"encryptedData":{"k":"AAAA"}}}""")]
    [InlineData("""{"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret","metadata":"x","spec":{}}""")]
    public async Task RotateAndVerify_BadInput_Get400(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var content2 = new StringContent(body, Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PostAsync("/v1/sealing/rotate", content)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PostAsync("/v1/sealing/verify", content2)).StatusCode);
    }

    [Fact]
    public async Task Unseal_ForTheOperator_GivesTheOwnedSecretAndASyncedStatus()
    {
        var sealedSecret = Seal(await server.Client.GetStringAsync("/v1/sealing/certificate"));
        sealedSecret["metadata"]!["uid"] = "uid-7";

        var response = await PostAsync("/v1/namespaces/team-a/sealedsecrets/db/unseal", sealedSecret);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal("hunter2", Encoding.UTF8.GetString(Convert.FromBase64String(answer["secret"]!["data"]!["password"]!.GetValue<string>())));
        Assert.Equal("uid-7", answer["secret"]!["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        Assert.Equal("True", answer["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unseal_MovedToAnotherNamespace_GivesNoSecretAndAFailedStatus()
    {
        var sealedSecret = Seal(await server.Client.GetStringAsync("/v1/sealing/certificate"));
        sealedSecret["metadata"]!["uid"] = "uid-7";
        sealedSecret["metadata"]!["namespace"] = "team-b";
        sealedSecret["spec"]!["template"]!["metadata"]!["namespace"] = "team-b";

        var response = await PostAsync("/v1/namespaces/team-b/sealedsecrets/db/unseal", sealedSecret);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var mismatch = await PostAsync("/v1/namespaces/team-a/sealedsecrets/db/unseal", sealedSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(answer["secret"]);
        Assert.Equal("ErrUnsealFailed", answer["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
    }

    private static JsonObject Seal(string certificatePem)
    {
        using var rsa = SealingCertificate.LoadPublicKey(certificatePem);
        return SecretSealer.Seal(ManifestText.Parse(SecretYaml), rsa);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await server.Client.PostAsync(path, content);
    }
}
