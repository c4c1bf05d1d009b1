using System.Text;
using Coffer.Scanning.Baselines;
using Coffer.Scanning.Configuration;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests;

public sealed class ScannerTests : IDisposable
{
    private const string Token = "ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4";

    private readonly string root = Directory.CreateTempSubdirectory("coffer-scan-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    private string Write(string relative, byte[] content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static Task<ScanResult> ScanAsync(string path, ScanOptions? options = null) =>
        new Scanner(options ?? new ScanOptions()).ScanPathsAsync([path], CancellationToken.None);

    [Fact]
    public async Task ScanPathsAsync_Folder_FindsSecretsInNestedFilesInOrder()
    {
        Write("b/two.env", $"\n\nTOKEN={Token}\n");
        Write("a/one.env", $"TOKEN={Token}\n");
        Write("a/clean.txt", "nothing here\n");

        var result = await ScanAsync(root);

        Assert.Equal(3, result.FilesScanned);
        Assert.Equal([($"{root}/a/one.env", 1), ($"{root}/b/two.env", 3)], result.Findings.Select(f => (f.Path, f.Line)));
    }

    [Fact]
    public async Task ScanPathsAsync_GitIgnored_Skipped()
    {
        Write(".gitignore", "build/\n*.log\n");
        Write("build/out.env", $"TOKEN={Token}\n");
        Write("debug.log", $"TOKEN={Token}\n");
        Write("sub/.gitignore", "local.env\n");
        Write("sub/local.env", $"TOKEN={Token}\n");
        Write("sub/kept.env", $"TOKEN={Token}\n");

        var result = await ScanAsync(root);

        Assert.Equal($"{root}/sub/kept.env", Assert.Single(result.Findings).Path);
    }

    [Fact]
    public async Task ScanPathsAsync_BinaryFile_SkippedNotScanned()
    {
        Write("image.bin", [.. Encoding.UTF8.GetBytes($"TOKEN={Token}\n"), 0, 1, 2]);

        var result = await ScanAsync(root);

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.FilesSkipped);
    }

    [Fact]
    public async Task ScanPathsAsync_FileOverSizeLimit_Skipped()
    {
        Write("big.env", $"TOKEN={Token}\n" + new string('#', 2000));

        var result = await ScanAsync(root, new ScanOptions { MaxFileBytes = 1000 });

        Assert.Empty(result.Findings);
        Assert.Equal(1, result.FilesSkipped);
    }

    [Fact]
    public async Task ScanPathsAsync_InvalidUtf8_ScannedAroundBadBytes()
    {
        Write("latin1.env", [0xc3, 0x28, 0xff, 0xfe, (byte)'\n', .. Encoding.ASCII.GetBytes($"TOKEN={Token}\n"), 0xe2, 0x82]);

        var finding = Assert.Single((await ScanAsync(root)).Findings);

        Assert.Equal(2, finding.Line);
        Assert.Equal(Token, finding.Secret);
    }

    [Fact]
    public async Task ScanPathsAsync_HugeSingleLine_FindsSecretAtItsColumn()
    {
        var padding = string.Concat(Enumerable.Repeat("password=token; ", 250_000));
        Write("minified.js", padding + $"TOKEN={Token}");

        var finding = Assert.Single((await ScanAsync(root)).Findings);

        Assert.Equal(padding.Length + 7, finding.Column);
    }

    [Fact]
    public async Task ScanPathsAsync_FileOfSeveralChunks_EveryLineNumberedAndAKeySpanningAChunkEndIsOneFinding()
    {
        // Lines of 64 bytes put chunk ends (every MiB) on line 16384 and 32768; secrets sit on both sides of them.
        var filler = "var total = compute(items, count) + offset; // plain code".PadRight(62, '.');
        var lines = Enumerable.Repeat(filler, 40_000).ToArray();
        var secretLines = new[] { 1, 16_383, 16_384, 16_385, 32_768, 39_999 };
        foreach (var number in secretLines)
        {
            lines[number - 1] = $"token = \"{Token}\"";
        }

        // A private key whose block runs across the second chunk end.
        lines[32_760] = "-----BEGIN RSA PRIVATE KEY-----";
        for (var i = 32_761; i < 32_770; i++)
        {
            lines[i] = "MIIEowIBAAKCAQEAq2bVXwQn7rJx1kz0sL9aXjvK3eJ8mYtP4uQwR6sT0nB";
        }

        lines[32_770] = "-----END RSA PRIVATE KEY-----";
        Write("big.cs", "\uFEFF" + string.Join("\r\n", lines) + "\r\n");

        var findings = (await ScanAsync(root)).Findings;

        Assert.Equal(secretLines.Where(l => l is < 32_761 or > 32_771), findings.Where(f => f.RuleId == "github-pat").Select(f => f.Line));
        var key = Assert.Single(findings, f => f.RuleId.StartsWith("private-key-", StringComparison.Ordinal));
        Assert.Equal(32_761, key.Line);
        Assert.EndsWith("-----END RSA PRIVATE KEY-----", key.Secret, StringComparison.Ordinal);
        Assert.Equal(11, key.Secret.Split('\n').Length);
    }

    [Fact]
    public async Task ScanPathsAsync_ByteScanAndCharacterScan_SameFindings()
    {
        var text = string.Join("\r\n",
            "// Ünïcödé comment with é and a password word",
            $"token = \"{Token}\" // and TOKEN again {Token}",
            "DATABASE_URL=postgres://app:Zq8vN2kLm4Xp7Rt1@db.internal:5432/app",
            "-----BEGIN RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEAq2bVXwQn7rJx1kz0sL9aXjvK3eJ8mYtP4uQwR6sT0nB",
            "-----END RSA PRIVATE KEY-----",
            $"ünï = \"{Token}\"  # coffer:allow",
            $"€€ secret_key = \"{Token}\"");
        Write("mixed.py", "\uFEFF" + text + "\r\n");
        Write("k8s/app.yaml", $"kind: Secret\ndata:\n  token: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Token))}\n");

        // A rule with a non-ASCII keyword leaves the byte automaton unbuilt, so that scan takes the character path.
        var characterRules = new RuleSet([.. DefaultRules.All, new DetectionRule("never", "never", ["é-never"], "é-never-[0-9]{40}", string.Empty, string.Empty)], Allowlist.Empty);
        Assert.NotNull(RuleSet.Default.Automaton);
        Assert.Null(characterRules.Automaton);

        var bytes = (await ScanAsync(root)).Findings;
        var characters = (await ScanAsync(root, new ScanOptions { RuleSet = characterRules })).Findings;

        Assert.True(bytes.Count >= 6, $"{bytes.Count} findings");
        Assert.Equal(characters, bytes);
    }

    [Fact]
    public async Task ScanPathsAsync_MissingPath_FileNotFound() =>
        await Assert.ThrowsAsync<FileNotFoundException>(() => ScanAsync(Path.Combine(root, "nope")));

    [Fact]
    public async Task ScanPathsAsync_SecretManifest_DecodedDataAndEnvReported()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Token));
        Write("k8s/secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  token: {encoded}\n---\nkind: Pod\nspec:\n  containers:\n    - name: a\n      env:\n        - name: API_TOKEN\n          value: Tg5Hy7Ju9Ki0Lo2Pm4Nb # coffer:allow\n        - name: DB_PASSWORD\n          value: hunter2hunter\n");

        var result = await ScanAsync(root);

        Assert.Equal([("github-pat", 6), ("kubernetes-env-literal-secret", 16)], result.Findings.Select(f => (f.RuleId, f.Line)));
    }

    [Fact]
    public async Task ScanPathsAsync_SecretManifestOverTheManifestBound_LineScannedButNotDecoded()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Token));
        var manifest = $"kind: Secret\ndata:\n  token: {encoded}\n";
        var padding = string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding\n", (TextScan.MaxManifestChars / 58) + 1));
        Write("small/secret.yaml", manifest + $"# plain: {Token}\n");
        Write("large/secret.yaml", manifest + $"# plain: {Token}\n" + padding);

        var small = await ScanAsync(Path.Combine(root, "small"));
        var large = await ScanAsync(Path.Combine(root, "large"));

        // Under the bound the YAML pass decodes the data value; over it only the raw line's own rule speaks.
        Assert.Equal([(3, "github-pat"), (4, "github-pat")], small.Findings.Select(f => (f.Line, f.RuleId)));
        Assert.Equal([(3, "kubeconfig-token"), (4, "github-pat")], large.Findings.Select(f => (f.Line, f.RuleId)));
    }

    [Fact]
    public async Task ScanStreamAsync_Stdin_ReportedAsDash()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes($"line\nTOKEN={Token}\n"));

        var result = await new Scanner(new ScanOptions()).ScanStreamAsync("-", input, CancellationToken.None);

        Assert.Equal(("-", 2), (Assert.Single(result.Findings).Path, result.Findings[0].Line));
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public async Task ScanStreamAsync_Utf16Or32WithByteOrderMark_FindsTheSecretOnItsLine(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        using var input = new MemoryStream([.. encoding.GetPreamble(), .. encoding.GetBytes($"line\r\nTOKEN={Token}\r\n")]);

        var result = await new Scanner(new ScanOptions()).ScanStreamAsync("-", input, CancellationToken.None);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((2, Token), (finding.Line, finding.Secret));
    }

    [Fact]
    public async Task Baseline_LineMoved_StillSuppressed()
    {
        var file = Write("app.env", $"TOKEN={Token}\n");
        var baselinePath = Path.Combine(root, "baseline.json");
        await BaselineFile.WriteAsync(baselinePath, (await ScanAsync(file)).Findings, CancellationToken.None);
        Write("app.env", $"# moved down\n\nTOKEN={Token}\nOTHER=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU\n");
        var baseline = await BaselineFile.ReadAsync(baselinePath, CancellationToken.None);

        var result = await ScanAsync(file, new ScanOptions { Baseline = baseline });

        Assert.Equal("stripe-live-secret-key", Assert.Single(result.Findings).RuleId);
        Assert.Equal(1, result.Suppressed);
        Assert.DoesNotContain(Token, await File.ReadAllTextAsync(baselinePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanPathsAsync_TwoPrivateKeysInOneFile_DifferentFingerprints()
    {
        Write("keys.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEAAAFIRSTKEYBODY\n-----END RSA PRIVATE KEY-----\n-----BEGIN RSA PRIVATE KEY-----\nMIIEBBBSECONDKEYBODY\n-----END RSA PRIVATE KEY-----\n");

        var result = await ScanAsync(root);

        Assert.Equal([1, 4], result.Findings.Select(f => f.Line));
        Assert.NotEqual(result.Findings[0].Fingerprint, result.Findings[1].Fingerprint);
        Assert.Contains("FIRSTKEYBODY", result.Findings[0].Secret, StringComparison.Ordinal);
        Assert.Equal("----****", result.Findings[0].MaskedSecret);
    }

    [Fact]
    public async Task ScanPathsAsync_GitIgnoreNegation_ReincludedFileScanned()
    {
        Write(".gitignore", "*.env\n!keep.env\n");
        Write("drop.env", $"TOKEN={Token}\n");
        Write("keep.env", $"TOKEN={Token}\n");

        var result = await ScanAsync(root);

        Assert.Equal($"{root}/keep.env", Assert.Single(result.Findings).Path);
    }

    [Fact]
    public async Task ScanPathsAsync_NamedIgnoredFile_StillScanned()
    {
        Write(".gitignore", "*.env\n");
        var file = Write("local.env", $"TOKEN={Token}\n");

        Assert.Single((await ScanAsync(file)).Findings);
    }

    [Fact]
    public async Task ScanPathsAsync_SymbolicLinksAndGitFolder_NotFollowed()
    {
        var outside = Directory.CreateTempSubdirectory("coffer-scan-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "elsewhere.env"), $"TOKEN={Token}\n");
            Write("real.env", $"TOKEN={Token}\n");
            Write(".git/config", $"TOKEN={Token}\n");
            File.CreateSymbolicLink(Path.Combine(root, "linked.env"), Path.Combine(outside, "elsewhere.env"));
            Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), outside);

            var result = await ScanAsync(root);

            Assert.Equal($"{root}/real.env", Assert.Single(result.Findings).Path);
            Assert.Equal(1, result.FilesScanned);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task ScanPathsAsync_RelativeFolder_PathsShownAsGiven()
    {
        Write("sub/app.env", $"TOKEN={Token}\n");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, root);

        var result = await ScanAsync(relative);

        Assert.Equal($"{relative}/sub/app.env", Assert.Single(result.Findings).Path);
    }

    [Fact]
    public async Task ScanPathsAsync_NamedPipe_ReadToItsEnd()
    {
        var pipe = Path.Combine(root, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // The writer blocks until the scan opens the pipe for reading, as `coffer scan <(command)` does.
        var writer = Task.Run(() => File.WriteAllText(pipe, $"A=1\nTOKEN={Token}\n"));
        var result = await ScanAsync(pipe);
        await writer;

        Assert.Equal((pipe, 2), (Assert.Single(result.Findings).Path, result.Findings[0].Line));
    }

    [Fact]
    public async Task ScanPathsAsync_FileThatSaysItIsEmpty_ReadToItsEnd()
    {
        // /proc files report size 0 and still hold text; the first line of this one is "Name:" and the process name.
        var rules = ScanConfigLoader.Parse("[[rules]]\nid = \"process-name\"\nregex = '''^Name:\\s+(\\S+)'''\nkeywords = [\"name:\"]\n", "test");

        var result = await ScanAsync("/proc/self/status", new ScanOptions { RuleSet = rules });

        Assert.Equal(0L, new FileInfo("/proc/self/status").Length);
        Assert.Equal(("process-name", 1), (Assert.Single(result.Findings).RuleId, result.Findings[0].Line));
    }
}
