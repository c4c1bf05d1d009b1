using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary><c>coffer migrate</c> against a real server: values go into Coffer first, and a file is rewritten only when all of its values are stored.</summary>
public sealed class MigrateCommandTests : CliServerTests
{
    private const string Password = "Wm4kR8tZ2qLx7vNp";
    private const string EnvToken = "ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8";

    private static readonly string Manifest = $"""
        # Checkout service (comments and layout survive the migration)
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          labels: {"{app: checkout}"}
        data:
          password: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Password))}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: checkout   # the web tier
        spec:
          template:
            spec:
              containers:
                - name: web
                  env:
                    - name: GITHUB_TOKEN
                      value: {EnvToken}
                    - name: LOG_LEVEL
                      value: info
        """;

    private string Write(string content, string name = "app.yaml") => Cli.TempFile(name, content);

    private async Task<Dictionary<string, string>> ValuesAsync(string name)
    {
        var document = JsonNode.Parse((await Cli.SucceedAsync("secret", "get", name, "-o", "json")).Output)!;
        return document["data"]!.AsObject().ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!)));
    }

    [Fact]
    public async Task Migrate_StoresEveryValue_ThenRewritesTheFile_AndASecondRunChangesNothing()
    {
        var file = Write(Manifest);

        var result = await Cli.SucceedAsync("migrate", file);

        Assert.Equal(new Dictionary<string, string> { ["password"] = Password }, await ValuesAsync("checkout-db-v1"));
        Assert.Equal(new Dictionary<string, string> { ["GITHUB_TOKEN"] = EnvToken }, await ValuesAsync("checkout-env-v1"));
        var rewritten = await File.ReadAllTextAsync(file);
        Assert.StartsWith("# Checkout service (comments and layout survive the migration)\n", rewritten, StringComparison.Ordinal);
        Assert.Contains("  name: checkout   # the web tier\n", rewritten, StringComparison.Ordinal);
        Assert.Contains("kind: CofferSecret", rewritten, StringComparison.Ordinal);
        Assert.Contains("secretKeyRef:", rewritten, StringComparison.Ordinal);
        Assert.Contains("              value: info\n", rewritten, StringComparison.Ordinal);
        foreach (var text in new[] { rewritten, result.Output, result.Error })
        {
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(EnvToken, text, StringComparison.Ordinal);
        }

        Assert.Contains("stored default/checkout-db-v1 (password from Secret/db), default/checkout-env-v1 (GITHUB_TOKEN from Deployment/checkout env); replaced 2 literal(s)", result.Output, StringComparison.Ordinal);
        var stored = JsonNode.Parse((await Cli.SucceedAsync("secret", "get", "checkout-db-v1", "-o", "json")).Output)!;
        Assert.Equal($"{file}: Secret/db", (string)stored["metadata"]!["annotations"]!["coffer.dev/migrated-from"]!);
        Assert.Empty(Directory.GetFiles(Cli.Home, ".app.yaml.coffer-migrate-*"));

        var again = await Cli.SucceedAsync("migrate", file);
        Assert.Equal($"{file}: no hardcoded secrets\n", again.Output);
        Assert.Equal(rewritten, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Migrate_DryRun_PrintsAMaskedDiff_AndStoresAndWritesNothing()
    {
        var file = Write(Manifest);

        var result = await Cli.SucceedAsync("migrate", file, "--dry-run");

        Assert.Contains($"--- {file}\n+++ {file}\n@@ -1,", result.Output, StringComparison.Ordinal);
        Assert.Contains("-  password: ****\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("-              value: ****\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("+kind: CofferSecret\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("# would store default/checkout-db-v1 (password from Secret/db)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(EnvToken, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), result.Output, StringComparison.Ordinal);
        Assert.Equal(Manifest, await File.ReadAllTextAsync(file));
        Assert.NotEqual(0, (await Cli.RunAsync("secret", "get", "checkout-db-v1")).ExitCode);
    }

    [Fact]
    public async Task Migrate_OneValueCannotBeStored_LeavesThatFileUnchanged_AndGoesOnWithTheNext()
    {
        // Coffer checks a TLS Secret's certificate and key, so this one is refused after the first is stored.
        var broken = Write(Manifest + "\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\nstringData: {tls.crt: not-a-certificate, tls.key: not-a-key}\n", "broken.yaml");
        var fine = Write("kind: Secret\nmetadata: {name: other, labels: {app: billing}}\nstringData: {api-key: Tq9wZ3xV7bN1mK5s}\n", "fine.yaml");
        var brokenBefore = await File.ReadAllTextAsync(broken);

        var result = await Cli.RunAsync("migrate", broken, fine);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Equal(brokenBefore, await File.ReadAllTextAsync(broken));
        Assert.Contains($"error: {broken}: could not store default/tls-secret-v1:", result.Error, StringComparison.Ordinal);
        Assert.Contains("the file is left unchanged", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key", result.Error, StringComparison.Ordinal);
        Assert.Contains("CofferSecret", await File.ReadAllTextAsync(fine), StringComparison.Ordinal);
        Assert.Equal("Tq9wZ3xV7bN1mK5s", (await ValuesAsync("billing-other-v1"))["api-key"]);
    }

    [Fact]
    public async Task Migrate_TokenThatMayNotWrite_LeavesTheFileUnchanged()
    {
        var file = Write(Manifest);
        var token = JsonNode.Parse((await Cli.SucceedAsync("token", "create", "--ttl", "1h", "--user", "intern", "-o", "json")).Output)!["token"]!.ToString();

        var result = await Cli.RunAsync("migrate", file, "--token", token);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Equal(Manifest, await File.ReadAllTextAsync(file));
        Assert.Contains("could not store default/checkout-db-v1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_NameHoldsOtherValues_RefusedUnlessOverwrite_ThenANewVersion()
    {
        await Cli.SucceedAsync("secret", "put", "checkout-db-v1", "--from-literal", "password=older-value");
        var file = Write(Manifest);

        var refused = await Cli.RunAsync("migrate", file);

        Assert.Equal(CliExitCode.Error, refused.ExitCode);
        Assert.Contains("holds other values (pass --overwrite", refused.Error, StringComparison.Ordinal);
        Assert.Equal(Manifest, await File.ReadAllTextAsync(file));
        Assert.Equal("older-value", (await ValuesAsync("checkout-db-v1"))["password"]);

        await Cli.SucceedAsync("migrate", file, "--overwrite");

        Assert.Equal(Password, (await ValuesAsync("checkout-db-v1"))["password"]);
        Assert.Contains("CofferSecret", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_TwoFilesOnOneCofferName_TheSecondIsRefused_EvenWithOverwrite()
    {
        var first = Write("kind: Secret\nmetadata: {name: db, labels: {app: api}}\nstringData: {a: Zq8vN2rT5wLp9xKd}\n", "first.yaml");
        var second = Write("kind: Secret\nmetadata: {name: api-db}\nstringData: {b: Tq9wZ3xV7bN1mK5s}\n", "second.yaml");
        var secondBefore = await File.ReadAllTextAsync(second);

        var together = await Cli.RunAsync("migrate", first, second);

        Assert.Equal(CliExitCode.Error, together.ExitCode);
        Assert.Contains("would both be stored as default/api-db-v1", together.Error, StringComparison.Ordinal);
        Assert.Equal(secondBefore, await File.ReadAllTextAsync(second));

        // A later run cannot overwrite what another object's migration stored, flag or not.
        var later = await Cli.RunAsync("migrate", second, "--overwrite");

        Assert.Equal(CliExitCode.Error, later.ExitCode);
        Assert.Contains($"holds other values migrated from {first}: Secret/db", later.Error, StringComparison.Ordinal);
        Assert.Equal(secondBefore, await File.ReadAllTextAsync(second));
        Assert.Equal("Zq8vN2rT5wLp9xKd", (await ValuesAsync("api-db-v1"))["a"]);
    }

    [Fact]
    public async Task Migrate_ByteOrderMarkIsKept_AndTextThatIsNotUtf8IsRefused()
    {
        var withBom = Path.Combine(Cli.Home, "bom.yaml");
        await File.WriteAllBytesAsync(withBom, [.. "\uFEFF"u8, .. "kind: Secret\nmetadata: {name: bom}\nstringData: {k: Zq8vN2rT5wLp9xKd}\n"u8]);
        var latin1 = Path.Combine(Cli.Home, "latin1.yaml");
        byte[] latin1Bytes = [.. "# caf"u8, 0xE9, .. "\nkind: Secret\nmetadata: {name: latin}\nstringData: {k: Tq9wZ3xV7bN1mK5s}\n"u8];
        await File.WriteAllBytesAsync(latin1, latin1Bytes);

        var result = await Cli.RunAsync("migrate", withBom, latin1);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.True((await File.ReadAllBytesAsync(withBom)).AsSpan().StartsWith("\uFEFFapiVersion: coffer.dev/v1alpha1"u8));
        Assert.Contains("not UTF-8 text", result.Error, StringComparison.Ordinal);
        Assert.Equal(latin1Bytes, await File.ReadAllBytesAsync(latin1));
    }

    [Theory]
    [InlineData("notes.txt", "kind: Secret\n", CliExitCode.Usage)]
    [InlineData("bad.yaml", "kind: Secret\nmetadata: {name: s\n", CliExitCode.Error)]
    [InlineData("bad64.yaml", "kind: Secret\nmetadata: {name: s}\ndata: {k: '%%%'}\n", CliExitCode.Error)]
    public async Task Migrate_BadInput_ClearErrorAndNothingChanges(string name, string content, int exitCode)
    {
        var file = Write(content, name);

        var result = await Cli.RunAsync("migrate", file);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(file));
        Assert.Equal(CliExitCode.Usage, (await Cli.RunAsync("migrate", Path.Combine(Cli.Home, "missing.yaml"))).ExitCode);
    }
}
