using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Sealing;

namespace Coffer.Kubernetes.Tests.Sealing;

public sealed class SealedSecretTests
{
    private const string SecretYaml = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: team-a
          labels:
            app: api
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: "{}"
            owner: team-a
        type: Opaque
        data:
          username: YWRtaW4=
        stringData:
          password: hunter2
        """;

    [Fact]
    public void Seal_Secret_HasKubesealShape()
    {
        var sealedSecret = Seal(SecretYaml);

        Assert.Equal("bitnami.com/v1alpha1", sealedSecret["apiVersion"]!.GetValue<string>());
        Assert.Equal("SealedSecret", sealedSecret["kind"]!.GetValue<string>());
        Assert.Equal("db", sealedSecret["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(["password", "username"], sealedSecret["spec"]!["encryptedData"]!.AsObject().Select(p => p.Key));
        var template = sealedSecret["spec"]!["template"]!;
        Assert.Equal("Opaque", template["type"]!.GetValue<string>());
        Assert.Equal("api", template["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal("team-a", template["metadata"]!["annotations"]!["owner"]!.GetValue<string>());
        Assert.Null(template["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
        Assert.DoesNotContain("hunter2", sealedSecret.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SealThenConvert_Strict_GivesTheSecretWithOwnerAndSyncedCondition()
    {
        var conversion = SealedSecretUnsealer.ToSecret(Deployed(Seal(SecretYaml)), SealingFixture.Keys, SealingFixture.Now);

        Assert.True(conversion.Succeeded);
        var secret = conversion.Secret!;
        Assert.Equal("hunter2", Value(secret, "password"));
        Assert.Equal("admin", Value(secret, "username"));
        Assert.Equal("api", secret["metadata"]!["labels"]!["app"]!.GetValue<string>());
        var owner = secret["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal("SealedSecret", owner["kind"]!.GetValue<string>());
        Assert.Equal("uid-1", owner["uid"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.Equal("True", conversion.Status["conditions"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(3, conversion.Status["observedGeneration"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("team-b", "db")]
    [InlineData("team-a", "other")]
    public void Convert_StrictSealedSecretMovedToAnotherNamespaceOrName_IsRefused(string ns, string name)
    {
        var moved = Deployed(Seal(SecretYaml));
        moved["metadata"]!["namespace"] = ns;
        moved["metadata"]!["name"] = name;
        moved["spec"]!["template"]!["metadata"]!.AsObject().Remove("namespace");
        moved["spec"]!["template"]!["metadata"]!.AsObject().Remove("name");

        var conversion = SealedSecretUnsealer.ToSecret(moved, SealingFixture.Keys, SealingFixture.Now);

        Assert.Null(conversion.Secret);
        Assert.Equal("False", conversion.Status["conditions"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("ErrUnsealFailed", conversion.Status["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void Convert_TemplateNamingAnotherNamespace_IsRefused()
    {
        var sealedSecret = Deployed(Seal(SecretYaml));
        sealedSecret["spec"]!["template"]!["metadata"]!["namespace"] = "kube-system";

        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, SealingFixture.Keys, SealingFixture.Now);

        Assert.Null(conversion.Secret);
        Assert.Equal("InvalidSealedSecret", conversion.Status["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void Convert_NamespaceWide_AcceptsAnyNameInTheNamespace()
    {
        var sealedSecret = Deployed(Seal(SecretYaml, SealingScope.NamespaceWide));
        sealedSecret["metadata"]!["name"] = "renamed";
        sealedSecret["spec"]!["template"]!["metadata"]!["name"] = "renamed";

        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, SealingFixture.Keys, SealingFixture.Now);

        Assert.Equal("true", sealedSecret["metadata"]!["annotations"]![SealingLabel.NamespaceWideAnnotation]!.GetValue<string>());
        Assert.Equal("hunter2", Value(conversion.Secret!, "password"));
        Assert.Equal("renamed", conversion.Secret!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Convert_ClusterWide_AcceptsAnotherNamespace()
    {
        var sealedSecret = Deployed(Seal(SecretYaml, SealingScope.ClusterWide));
        sealedSecret["metadata"]!["namespace"] = "team-z";
        sealedSecret["spec"]!["template"]!["metadata"]!["namespace"] = "team-z";

        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, SealingFixture.Keys, SealingFixture.Now);

        Assert.Equal("hunter2", Value(conversion.Secret!, "password"));
    }

    [Fact]
    public void Convert_SealedToTheOldKey_StillUnsealsAfterRenewal()
    {
        using var oldPublic = SealingCertificate.LoadPublicKey(SealingFixture.OldKey.CertificatePem);
        var sealedSecret = Deployed(SecretSealer.Seal(ManifestText.Parse(SecretYaml), oldPublic));

        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, SealingFixture.Keys, SealingFixture.Now);

        Assert.Equal("hunter2", Value(conversion.Secret!, "password"));
    }

    [Fact]
    public void MergeInto_AddsAndReplacesOneKeyKeepingTheOthers()
    {
        var original = Seal(SecretYaml);
        using var publicKey = SealingCertificate.LoadPublicKey(SealingFixture.Key.CertificatePem);
        var update = ManifestText.Parse("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: team-a}\nstringData: {password: new-one, token: t0k}\n");

        var merged = SecretSealer.MergeInto(original, update, publicKey);
        var conversion = SealedSecretUnsealer.ToSecret(Deployed(merged), SealingFixture.Keys, SealingFixture.Now);

        Assert.Equal(original["spec"]!["encryptedData"]!["username"]!.GetValue<string>(), merged["spec"]!["encryptedData"]!["username"]!.GetValue<string>());
        Assert.Equal("new-one", Value(conversion.Secret!, "password"));
        Assert.Equal("t0k", Value(conversion.Secret!, "token"));
        Assert.Equal("admin", Value(conversion.Secret!, "username"));
    }

    [Fact]
    public void SealRaw_StrictValue_OpensWithTheNamespaceAndNameLabel()
    {
        using var publicKey = SealingCertificate.LoadPublicKey(SealingFixture.Key.CertificatePem);

        var raw = SecretSealer.SealRaw("v"u8, publicKey, "team-a", "db", SealingScope.Strict);

        Assert.Equal("v"u8.ToArray(), SealingFixture.Keys.Unseal(Convert.FromBase64String(raw), "team-a/db"u8.ToArray()));
        Assert.Throws<ManifestException>(() => SecretSealer.SealRaw("v"u8, publicKey, "team-a", null, SealingScope.Strict));
        Assert.Throws<ManifestException>(() => SecretSealer.SealRaw("v"u8, publicKey, null, null, SealingScope.NamespaceWide));
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata: {k: dg==}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: {k: dg==}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {namespace: b}\ndata: {k: dg==}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\ndata: {k: not-base64!}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\ndata: {k: [1, 2]}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: A_B, namespace: b}\ndata: {k: dg==}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: [1]\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData: {\"a/b\": v}\n")]
    public void Seal_BadSecret_IsRefusedWithAClearMessage(string yaml)
    {
        using var publicKey = SealingCertificate.LoadPublicKey(SealingFixture.Key.CertificatePem);

        var e = Assert.Throws<ManifestException>(() => SecretSealer.Seal(ManifestText.Parse(yaml), publicKey));

        Assert.DoesNotContain("dg==", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("a: &x [1]\nb: *x\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("a: [unclosed\n")]
    [InlineData("{\"a\": }")]
    [InlineData("a: 1\n---\nb: 2\n")]
    public void Parse_MalformedOrHostileManifest_IsRefused(string text) =>
        Assert.Throws<ManifestException>(() => ManifestText.Parse(text));

    [Fact]
    public void Parse_DeeplyNested_IsRefused() =>
        Assert.Throws<ManifestException>(() => ManifestText.Parse(new string('[', 100) + new string(']', 100)));

    [Fact]
    public void Parse_Oversized_IsRefused() =>
        Assert.Throws<ManifestException>(() => ManifestText.Parse("a: " + new string('x', ManifestText.MaxChars)));

    [Fact]
    public void ToYaml_RoundTripsThroughParse()
    {
        var sealedSecret = Seal(SecretYaml);

        var reparsed = ManifestText.Parse(ManifestText.ToYaml(sealedSecret));

        Assert.Equal(sealedSecret.ToJsonString(), reparsed.ToJsonString());
    }

    [Fact]
    public void Convert_BadSealedSecrets_AreRefusedNotThrown()
    {
        var noUid = Seal(SecretYaml);
        var badBase64 = Deployed(Seal(SecretYaml));
        badBase64["spec"]!["encryptedData"]!["password"] = "%%%";
        var wrongKind = Deployed(Seal(SecretYaml));
        wrongKind["kind"] = "Secret";

        foreach (var bad in new[] { noUid, badBase64, wrongKind })
        {
            var conversion = SealedSecretUnsealer.ToSecret(bad, SealingFixture.Keys, SealingFixture.Now);
            Assert.Null(conversion.Secret);
            Assert.Equal("InvalidSealedSecret", conversion.Status["conditions"]![0]!["reason"]!.GetValue<string>());
        }
    }

    private static JsonObject Seal(string yaml, SealingScope? scope = null)
    {
        using var publicKey = SealingCertificate.LoadPublicKey(SealingFixture.Key.CertificatePem);
        return SecretSealer.Seal(ManifestText.Parse(yaml), publicKey, scope);
    }

    /// <summary>As the API server stores it: with a uid and a generation.</summary>
    private static JsonObject Deployed(JsonObject sealedSecret)
    {
        var copy = sealedSecret.DeepClone().AsObject();
        copy["metadata"]!["uid"] = "uid-1";
        copy["metadata"]!["generation"] = 3;
        return copy;
    }

    private static string Value(JsonObject secret, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![key]!.GetValue<string>()));
}
