using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;
using Coffer.Kubernetes.Sealing;

namespace Coffer.Cli.Tests.Commands;

public sealed class SealCommandTests : CliServerTests
{
    private const string SecretYaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: hunter2\n";

    [Fact]
    public async Task Seal_SecretFromStdin_ServerValidatesTheResult()
    {
        var sealedSecret = await Cli.RunWithInputAsync(SecretYaml, "seal");
        var validate = await Cli.RunWithInputAsync(sealedSecret.Output, "seal", "--validate");

        Assert.Equal(0, sealedSecret.ExitCode);
        Assert.StartsWith("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n", sealedSecret.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", sealedSecret.Output, StringComparison.Ordinal);
        Assert.True(validate.ExitCode == 0, validate.ToString());
    }

    [Fact]
    public async Task Seal_JsonFileWithCertFileAndScope_WritesJsonSealedForThatScope()
    {
        var certificate = await FetchCertificateAsync();
        var certFile = Cli.TempFile("cert.pem", certificate);
        var secretFile = Cli.TempFile("secret.json", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"team-a"},"data":{"k":"dg=="}}""");

        var result = await Cli.SucceedAsync("seal", "--cert", certFile, "--scope", "namespace-wide", secretFile);
        var sealedSecret = JsonNode.Parse(result.Output)!;

        Assert.Equal("true", sealedSecret["metadata"]!["annotations"]!["sealedsecrets.bitnami.com/namespace-wide"]!.GetValue<string>());
        Assert.Equal(0, (await Cli.RunWithInputAsync(result.Output, "seal", "--validate")).ExitCode);
    }

    [Fact]
    public async Task Seal_Raw_GivesAValueTheServerUnsealsForThatNameOnly()
    {
        var raw = await Cli.RunWithInputAsync("s3cret", "seal", "--raw", "-n", "team-a", "--name", "db");
        var value = raw.Output.Trim();

        Assert.Equal(0, raw.ExitCode);
        Assert.Equal(0, (await Cli.RunWithInputAsync(Wrap("db", value), "seal", "--validate")).ExitCode);
        Assert.Equal(CliExitCode.Conflict, (await Cli.RunWithInputAsync(Wrap("other", value), "seal", "--validate")).ExitCode);
    }

    [Fact]
    public async Task Seal_MergeInto_AddsAKeyToTheFileKeepingTheOthers()
    {
        var first = await Cli.RunWithInputAsync(SecretYaml, "seal");
        var file = Cli.TempFile("sealed.yaml", first.Output);
        var before = ManifestText.Parse(first.Output);

        var merge = await Cli.RunWithInputAsync("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: team-a}\nstringData: {token: t0k}\n", "seal", "--merge-into", file);
        var after = ManifestText.Parse(await File.ReadAllTextAsync(file));

        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(before["spec"]!["encryptedData"]!["password"]!.GetValue<string>(), after["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        Assert.NotNull(after["spec"]!["encryptedData"]!["token"]);
        Assert.Equal(0, (await Cli.RunWithInputAsync(ManifestText.ToYaml(after), "seal", "--validate")).ExitCode);
    }

    [Fact]
    public async Task Seal_ReEncrypt_ChangesCiphertextAndStillValidates()
    {
        var first = await Cli.RunWithInputAsync(SecretYaml, "seal");

        var again = await Cli.RunWithInputAsync(first.Output, "seal", "--re-encrypt");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.NotEqual(
            ManifestText.Parse(first.Output)["spec"]!["encryptedData"]!["password"]!.GetValue<string>(),
            ManifestText.Parse(again.Output)["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        Assert.Equal(0, (await Cli.RunWithInputAsync(again.Output, "seal", "--validate")).ExitCode);
    }

    [Fact]
    public async Task Seal_Validate_TamperedValue_ExitsWithConflict()
    {
        var sealedSecret = ManifestText.Parse((await Cli.RunWithInputAsync(SecretYaml, "seal")).Output);
        var bytes = Convert.FromBase64String(sealedSecret["spec"]!["encryptedData"]!["password"]!.GetValue<string>());
        bytes[^1] ^= 1;
        sealedSecret["spec"]!["encryptedData"]!["password"] = Convert.ToBase64String(bytes);

        var result = await Cli.RunWithInputAsync(ManifestText.ToYaml(sealedSecret), "seal", "--validate");

        Assert.Equal(CliExitCode.Conflict, result.ExitCode);
    }

    [Theory]
    [InlineData("a: [unclosed\n")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: {k: '!!'}\n")]
    public async Task Seal_BadManifest_ExitsInvalid(string manifest)
    {
        var result = await Cli.RunWithInputAsync(manifest, "seal");

        Assert.Equal(CliExitCode.Invalid, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_BadCertificateOrConflictingModes_AreRefused()
    {
        var garbage = Cli.TempFile("cert.pem", "not a certificate");

        Assert.Equal(CliExitCode.Invalid, (await Cli.RunWithInputAsync(SecretYaml, "seal", "--cert", garbage)).ExitCode);
        Assert.Equal(CliExitCode.Usage, (await Cli.RunWithInputAsync(SecretYaml, "seal", "--raw", "--validate")).ExitCode);
        Assert.Equal(CliExitCode.Usage, (await Cli.RunAsync("seal")).ExitCode);
        Assert.Equal(CliExitCode.Usage, (await Cli.RunWithInputAsync(SecretYaml, "seal", "--scope", "wide")).ExitCode);
    }

    private static string Wrap(string name, string value) =>
        $"{{\"apiVersion\":\"bitnami.com/v1alpha1\",\"kind\":\"SealedSecret\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"team-a\"}},\"spec\":{{\"encryptedData\":{{\"v\":\"{value}\"}}}}}}";

    private async Task<string> FetchCertificateAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"{Server.Address}/v1/sealing/certificate"));
    }
}
