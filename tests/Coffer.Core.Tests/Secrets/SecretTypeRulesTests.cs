using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;

namespace Coffer.Core.Tests.Secrets;

public sealed class SecretTypeRulesTests
{
    private static SecretData Data(params (string Key, string Value)[] entries) =>
        SecretData.Create(entries.Select(e => new KeyValuePair<string, byte[]>(e.Key, Encoding.UTF8.GetBytes(e.Value))));

    private static CofferException Rejects(string type, SecretData data) =>
        Assert.Throws<CofferException>(() => SecretTypeRules.Validate(type, data));

    [Fact]
    public void Validate_OpaqueAndCustomTypes_AcceptAnyKeys()
    {
        SecretTypeRules.Validate(SecretTypes.Opaque, Data(("anything", "x")));
        SecretTypeRules.Validate("example.com/custom", Data());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public void Validate_BadTypeName_Rejected(string type) => Assert.Equal("type", Rejects(type, Data()).Field);

    [Fact]
    public void Validate_BasicAuth_NeedsUsernameOrPassword()
    {
        SecretTypeRules.Validate(SecretTypes.BasicAuth, Data(("username", "admin")));
        SecretTypeRules.Validate(SecretTypes.BasicAuth, Data(("password", "pw")));
        Assert.Equal("MissingSecretData", Rejects(SecretTypes.BasicAuth, Data(("user", "admin"))).Reason);
    }

    [Fact]
    public void Validate_SshAuth_NeedsPrivateKey()
    {
        SecretTypeRules.Validate(SecretTypes.SshAuth, Data(("ssh-privatekey", "-----BEGIN OPENSSH PRIVATE KEY-----")));
        Assert.Equal("data[ssh-privatekey]", Rejects(SecretTypes.SshAuth, Data(("key", "x"))).Field);
    }

    [Fact]
    public void Validate_DockerConfigJson_NeedsValidJson()
    {
        SecretTypeRules.Validate(SecretTypes.DockerConfigJson, Data((".dockerconfigjson", """{"auths":{"registry.example":{"auth":"dTpw"}}}""")));
        Assert.Equal("MissingSecretData", Rejects(SecretTypes.DockerConfigJson, Data(("config", "{}"))).Reason);
        var error = Rejects(SecretTypes.DockerConfigJson, Data((".dockerconfigjson", "{\"auths\": secret-not-json")));
        Assert.Equal("InvalidSecretData", error.Reason);
        Assert.DoesNotContain("secret-not-json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TlsWithMatchingRsaPair_Accepted()
    {
        var (cert, key) = TestCertificates.CreateRsa();
        SecretTypeRules.Validate(SecretTypes.Tls, Data(("tls.crt", cert), ("tls.key", key)));
    }

    [Fact]
    public void Validate_TlsWithMatchingEcPair_Accepted()
    {
        var (cert, key) = TestCertificates.CreateEcdsa();
        SecretTypeRules.Validate(SecretTypes.Tls, Data(("tls.crt", cert), ("tls.key", key)));
    }

    [Fact]
    public void Validate_TlsKeyFromAnotherCertificate_RejectedAsMismatch()
    {
        var (cert, _) = TestCertificates.CreateRsa("CN=one");
        var (_, otherKey) = TestCertificates.CreateRsa("CN=two");
        var error = Rejects(SecretTypes.Tls, Data(("tls.crt", cert), ("tls.key", otherKey)));
        Assert.Equal("data[tls.key]", error.Field);
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TlsMissingOrGarbage_Rejected()
    {
        var (cert, key) = TestCertificates.CreateRsa();
        Assert.Equal("data[tls.key]", Rejects(SecretTypes.Tls, Data(("tls.crt", cert))).Field);
        Assert.Equal("data[tls.crt]", Rejects(SecretTypes.Tls, Data(("tls.key", key))).Field);
        Assert.Equal("data[tls.crt]", Rejects(SecretTypes.Tls, Data(("tls.crt", "not pem"), ("tls.key", key))).Field);
        var garbageKey = Rejects(SecretTypes.Tls, Data(("tls.crt", cert), ("tls.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")));
        Assert.Equal("data[tls.key]", garbageKey.Field);
    }
}
