using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;
using YamlDotNet.Serialization;

namespace Coffer.Cli.Tests.Commands;

public sealed class SecretCommandTests : CliServerTests
{
    [Fact]
    public async Task Put_FromLiteral_GetJsonReturnsValues()
    {
        var put = await Cli.SucceedAsync("secret", "put", "db", "--from-literal", "user=admin", "--from-literal", "password=s3cr=t");

        Assert.Equal("secret/db created (version 1)\n", put.Output);
        Assert.Equal(new Dictionary<string, string> { ["user"] = "admin", ["password"] = "s3cr=t" }, await ValuesAsync("db"));
    }

    [Fact]
    public async Task Put_FromFile_KeyFromArgumentOrFileName_BytesKept()
    {
        var binary = new byte[] { 0, 1, 2, 255, 10, 13 };
        var certificate = Path.Combine(Cli.Home, "tls.crt");
        File.WriteAllBytes(certificate, binary);
        var other = Cli.TempFile("other.txt", "hello\n");

        await Cli.SucceedAsync("secret", "put", "files", "--from-file", certificate, "--from-file", $"renamed={other}");

        var document = await GetJsonAsync("files");
        Assert.Equal(binary, Convert.FromBase64String((string)document["data"]!["tls.crt"]!));
        Assert.Equal("hello\n", Encoding.UTF8.GetString(Convert.FromBase64String((string)document["data"]!["renamed"]!)));
    }

    [Fact]
    public async Task Put_FromEnvFile_EachLineAKey_CommentsAndBlanksSkipped()
    {
        var envFile = Cli.TempFile("app.env", "# settings\nHOST=db.local\n\nPORT=5432\r\nEMPTY=\nURL=a=b\n");

        await Cli.SucceedAsync("secret", "put", "env", "--from-env-file", envFile);

        Assert.Equal(new Dictionary<string, string> { ["HOST"] = "db.local", ["PORT"] = "5432", ["EMPTY"] = string.Empty, ["URL"] = "a=b" }, await ValuesAsync("env"));
    }

    [Fact]
    public async Task Put_StdinRedirectedAndNothingElse_StoredUnderValue()
    {
        var result = await Cli.RunWithInputAsync("from-pipe", "secret", "put", "piped");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["value"] = "from-pipe" }, await ValuesAsync("piped"));
    }

    [Fact]
    public async Task Put_DashWithKey_StdinStoredUnderKeyBesideLiterals()
    {
        var result = await Cli.RunWithInputAsync("pw-from-stdin", "secret", "put", "mixed", "-", "--key", "password", "--from-literal", "user=u");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["user"] = "u", ["password"] = "pw-from-stdin" }, await ValuesAsync("mixed"));
    }

    [Fact]
    public async Task Put_FromFileDash_ReadsStdinUnderGivenKey()
    {
        var result = await Cli.RunWithInputAsync("key-material", "secret", "put", "k", "--from-file", "private.key=-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["private.key"] = "key-material" }, await ValuesAsync("k"));
    }

    [Fact]
    public async Task Put_LiteralsWithStdinRedirected_StdinIgnored()
    {
        var result = await Cli.RunWithInputAsync("ignored", "secret", "put", "lit", "--from-literal", "a=1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, await ValuesAsync("lit"));
    }

    [Fact]
    public async Task Get_WithoutShow_KeysAndSizesButNoValues()
    {
        await Cli.SucceedAsync("secret", "put", "hidden", "--from-literal", "password=topsecretvalue", "--label", "app=web");

        var get = await Cli.SucceedAsync("secret", "get", "hidden");

        Assert.DoesNotContain("topsecretvalue", get.Output, StringComparison.Ordinal);
        Assert.Contains("password   14 bytes", get.Output, StringComparison.Ordinal);
        Assert.Contains("app=web", get.Output, StringComparison.Ordinal);
        Assert.StartsWith("NAME", get.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithShow_PrintsValues()
    {
        await Cli.SucceedAsync("secret", "put", "shown", "--from-literal", "password=topsecretvalue");

        var get = await Cli.SucceedAsync("secret", "get", "shown", "--show");

        Assert.Contains("password   14 bytes   topsecretvalue", get.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OutputJson_IsTheServerResource()
    {
        await Cli.SucceedAsync("namespace", "create", "team-a");
        await Cli.SucceedAsync("secret", "put", "doc", "--from-literal", "k=v", "-n", "team-a");

        var document = JsonNode.Parse((await Cli.SucceedAsync("secret", "get", "doc", "-n", "team-a", "-o", "json")).Output)!;

        Assert.Equal("Secret", (string?)document["kind"]);
        Assert.Equal("coffer.dev/v1", (string?)document["apiVersion"]);
        Assert.Equal("team-a", (string?)document["metadata"]!["namespace"]);
        Assert.Equal("Opaque", (string?)document["type"]);
        Assert.Equal("dg==", (string?)document["data"]!["k"]);
    }

    [Fact]
    public async Task Get_OutputYaml_ParsesWithSameFields()
    {
        await Cli.SucceedAsync("secret", "put", "yml", "--from-literal", "n=123", "--from-literal", "b=true", "--label", "app=web");

        var yaml = (await Cli.SucceedAsync("secret", "get", "yml", "-o", "yaml")).Output;
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(yaml);

        Assert.Equal("Secret", document["kind"]);
        var metadata = (Dictionary<object, object>)document["metadata"];
        Assert.Equal("yml", metadata["name"]);
        Assert.Equal("web", ((Dictionary<object, object>)metadata["labels"])["app"]);
        var data = (Dictionary<object, object>)document["data"];
        Assert.Equal("123", Encoding.UTF8.GetString(Convert.FromBase64String((string)data["n"])));
        Assert.Equal("true", Encoding.UTF8.GetString(Convert.FromBase64String((string)data["b"])));
    }

    [Fact]
    public async Task Get_Version_ReadsOldVersion()
    {
        await Cli.SucceedAsync("secret", "put", "v", "--from-literal", "k=one");
        await Cli.SucceedAsync("secret", "put", "v", "--from-literal", "k=two");

        var old = JsonNode.Parse((await Cli.SucceedAsync("secret", "get", "v", "--version", "1", "-o", "json")).Output)!;

        Assert.Equal(1, (long)old["metadata"]!["version"]!);
        Assert.Equal("b25l", (string?)old["data"]!["k"]);
    }

    [Fact]
    public async Task Put_TypeLabelsAnnotationsImmutableMaxVersions_AppliedOnServer()
    {
        var put = await Cli.SucceedAsync(
            "secret", "put", "full", "--type", "Opaque", "--from-literal", "k=v", "--label", "app=web", "--label", "tier=db",
            "--annotation", "owner=team-a", "--max-versions", "4", "--immutable", "-o", "json");

        var document = JsonNode.Parse(put.Output)!;
        Assert.Equal("web", (string?)document["metadata"]!["labels"]!["app"]);
        Assert.Equal("db", (string?)document["metadata"]!["labels"]!["tier"]);
        Assert.Equal("team-a", (string?)document["metadata"]!["annotations"]!["owner"]);
        Assert.True((bool)document["immutable"]!);
        Assert.Equal(4, (int)document["maxVersions"]!);
        Assert.Null(document["data"]);
    }

    [Fact]
    public async Task Put_ExpectVersionCurrent_Writes_StaleConflictsExit4()
    {
        await Cli.SucceedAsync("secret", "put", "cas", "--from-literal", "k=v1");

        var ok = await Cli.SucceedAsync("secret", "put", "cas", "--from-literal", "k=v2", "--expect-version", "1");
        var stale = await Cli.RunAsync("secret", "put", "cas", "--from-literal", "k=v3", "--expect-version", "1");

        Assert.Equal("secret/cas updated (version 2)\n", ok.Output);
        Assert.Equal(CliExitCode.Conflict, stale.ExitCode);
        Assert.StartsWith("error: ", stale.Error, StringComparison.Ordinal);
        Assert.Equal("v2", (await ValuesAsync("cas"))["k"]);
    }

    [Fact]
    public async Task List_SmallPages_FollowsContinueAndShowsAll()
    {
        for (var i = 0; i < 5; i++)
        {
            await Cli.SucceedAsync("secret", "put", $"s{i}", "--from-literal", "k=v", "--label", i % 2 == 0 ? "parity=even" : "parity=odd");
        }

        var all = JsonNode.Parse((await Cli.SucceedAsync("secret", "list", "--limit", "2", "-o", "json")).Output)!;
        var even = JsonNode.Parse((await Cli.SucceedAsync("secret", "list", "-l", "parity=even", "-o", "json")).Output)!;
        var table = await Cli.SucceedAsync("secret", "list", "--limit", "2");

        Assert.Equal(["s0", "s1", "s2", "s3", "s4"], Names(all));
        Assert.Equal("SecretList", (string?)all["kind"]);
        Assert.Equal(["s0", "s2", "s4"], Names(even));
        Assert.Equal(6, table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("NAME", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoryAndRollback_RollbackWritesOldDataAsNewVersion()
    {
        await Cli.SucceedAsync("secret", "put", "h", "--from-literal", "k=first");
        await Cli.SucceedAsync("secret", "put", "h", "--from-literal", "k=second");

        var rollback = await Cli.SucceedAsync("secret", "rollback", "h", "1");
        var history = JsonNode.Parse((await Cli.SucceedAsync("secret", "history", "h", "-o", "json")).Output)!;
        var table = await Cli.SucceedAsync("secret", "history", "h");

        Assert.Equal("secret/h rolled back to version 1 (now version 3)\n", rollback.Output);
        Assert.Equal(3, (long)history["currentVersion"]!);
        Assert.Equal(3, history["items"]!.AsArray().Count);
        Assert.Equal("first", (await ValuesAsync("h"))["k"]);
        Assert.Equal(4, table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("VERSION   STATE", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAndUndelete_Secret_HiddenThenBack()
    {
        await Cli.SucceedAsync("secret", "put", "gone", "--from-literal", "k=v");

        var delete = await Cli.SucceedAsync("secret", "delete", "gone");
        var whileDeleted = await Cli.RunAsync("secret", "get", "gone");
        var listed = JsonNode.Parse((await Cli.SucceedAsync("secret", "list", "--include-deleted", "-o", "json")).Output)!;
        var undelete = await Cli.SucceedAsync("secret", "undelete", "gone");

        Assert.Equal("secret/gone deleted\n", delete.Output);
        Assert.Equal(CliExitCode.NotFound, whileDeleted.ExitCode);
        Assert.Equal(["gone"], Names(listed));
        Assert.Equal("secret/gone undeleted\n", undelete.Output);
        Assert.Equal("v", (await ValuesAsync("gone"))["k"]);
    }

    [Fact]
    public async Task DeleteAndUndelete_Version_OnlyThatVersion()
    {
        await Cli.SucceedAsync("secret", "put", "dv", "--from-literal", "k=v1");
        await Cli.SucceedAsync("secret", "put", "dv", "--from-literal", "k=v2");

        await Cli.SucceedAsync("secret", "delete", "dv", "--version", "1");
        var oldWhileDeleted = await Cli.RunAsync("secret", "get", "dv", "--version", "1");
        var current = await ValuesAsync("dv");
        await Cli.SucceedAsync("secret", "undelete", "dv", "--version", "1");

        Assert.Equal(CliExitCode.NotFound, oldWhileDeleted.ExitCode);
        Assert.Equal("v2", current["k"]);
        Assert.Equal("dv", await Cli.SucceedAsync("secret", "get", "dv", "--version", "1", "-o", "json") is { } r ? (string?)JsonNode.Parse(r.Output)!["metadata"]!["name"] : null);
    }

    [Fact]
    public async Task Destroy_Version_HistoryShowsDestroyedAndUndeleteConflicts()
    {
        await Cli.SucceedAsync("secret", "put", "ds", "--from-literal", "k=v1");
        await Cli.SucceedAsync("secret", "put", "ds", "--from-literal", "k=v2");

        var destroy = await Cli.SucceedAsync("secret", "destroy", "ds", "--version", "1");
        var history = JsonNode.Parse((await Cli.SucceedAsync("secret", "history", "ds", "-o", "json")).Output)!;
        var undelete = await Cli.RunAsync("secret", "undelete", "ds", "--version", "1");

        Assert.Equal("secret/ds version 1 destroyed\n", destroy.Output);
        Assert.Equal("destroyed", (string?)history["items"]![0]!["state"]);
        Assert.Equal("active", (string?)history["items"]![1]!["state"]);
        Assert.Equal(CliExitCode.Conflict, undelete.ExitCode);
    }

    [Fact]
    public async Task Destroy_WithoutVersion_UsageExit2AndNothingDestroyed()
    {
        await Cli.SucceedAsync("secret", "put", "keep", "--from-literal", "k=v");

        var destroy = await Cli.RunAsync("secret", "destroy", "keep");

        Assert.Equal(CliExitCode.Usage, destroy.ExitCode);
        Assert.Contains("--version", destroy.Error, StringComparison.Ordinal);
        Assert.Equal("v", (await ValuesAsync("keep"))["k"]);
    }

    [Fact]
    public async Task Label_SetAndRemove_KubectlSyntaxWithoutNewVersion()
    {
        await Cli.SucceedAsync("secret", "put", "lbl", "--from-literal", "k=v", "--label", "app=web", "--label", "old=yes");

        var label = await Cli.SucceedAsync("secret", "label", "lbl", "tier=db", "old-", "app=api");
        var document = await GetJsonAsync("lbl");

        Assert.Equal("secret/lbl labeled\n", label.Output);
        var labels = document["metadata"]!["labels"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value);
        Assert.Equal(new Dictionary<string, string?> { ["app"] = "api", ["tier"] = "db" }, labels);
        Assert.Equal(1, (long)document["metadata"]!["currentVersion"]!);
    }

    [Fact]
    public async Task Annotate_SetAndRemove_KubectlSyntax()
    {
        await Cli.SucceedAsync("secret", "put", "ann", "--from-literal", "k=v", "--annotation", "owner=a");

        await Cli.SucceedAsync("secret", "annotate", "ann", "owner-", "note=rotated monthly");
        var document = await GetJsonAsync("ann");

        var annotations = document["metadata"]!["annotations"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value);
        Assert.Equal(new Dictionary<string, string?> { ["note"] = "rotated monthly" }, annotations);
    }

    [Fact]
    public async Task Label_BadChange_UsageExit2AndLabelsUnchanged()
    {
        await Cli.SucceedAsync("secret", "put", "lb", "--from-literal", "k=v", "--label", "app=web");

        var result = await Cli.RunAsync("secret", "label", "lb", "tier=db", "justakey");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("KEY=VALUE", result.Error, StringComparison.Ordinal);
        Assert.Single((await GetJsonAsync("lb"))["metadata"]!["labels"]!.AsObject());
    }

    private static List<string> Names(JsonNode list) =>
        list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToList();

    private async Task<JsonNode> GetJsonAsync(string name)
    {
        var result = await Cli.SucceedAsync("secret", "get", name, "-o", "json");
        return JsonNode.Parse(result.Output)!;
    }

    private async Task<Dictionary<string, string>> ValuesAsync(string name) =>
        (await GetJsonAsync(name))["data"]!.AsObject().ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!)));
}
