using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Hosting;

namespace Coffer.Cli.Tests.Commands;

/// <summary><c>coffer lint</c> needs no server: files, folders, stdin, formats, exit codes and refused input.</summary>
public sealed class LintCommandTests : IDisposable
{
    private const string CompliantSecret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: billing-db-v1
          namespace: prod
          labels: {owner: payments}
          annotations: {coffer.dev/rotation: 90d}
        data: {password: c2VjcmV0}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: prod}
        spec: {podSelector: {}}
        """;

    private const string LiteralPassword = "q8Zr2LmX9vTp4KsW";

    private static readonly string LeakyPod = $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers: [{name: app, env: [{name: DB_PASSWORD, value: {{LiteralPassword}}}]}]
        """;

    private readonly CliSession cli = new();

    public void Dispose() => cli.Dispose();

    private string Folder(params (string Name, string Content)[] files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(cli.Home, "manifests")).FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), content);
        }

        return folder;
    }

    [Fact]
    public async Task Lint_CompliantFolder_Exit0()
    {
        var folder = Folder(("secret.yaml", CompliantSecret));

        var result = await cli.RunAsync("lint", folder);

        Assert.Equal(CliExitCode.Ok, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("0 findings in 1 files", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_LeakyPod_Exit1TableWithoutSecretValue()
    {
        var folder = Folder(("pod.yml", LeakyPod), ("notes.txt", "kind: Secret\n"));

        var result = await cli.RunAsync("lint", folder);

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Contains("env-literal-secret", result.Output, StringComparison.Ordinal);
        Assert.Contains($"{folder}/pod.yml:5:", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("notes.txt", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(LiteralPassword, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_JsonOutput_FindingsWithIdSeverityMessageAndFix()
    {
        var file = cli.TempFile("pod.yaml", LeakyPod);

        var result = await cli.RunAsync("lint", file, "-o", "json");

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        var findings = JsonNode.Parse(result.Output)!.AsArray();
        var literal = Assert.Single(findings, f => f!["ruleId"]!.GetValue<string>() == "env-literal-secret")!;
        Assert.Equal("high", literal["severity"]!.GetValue<string>());
        Assert.Contains("Pod/api: spec.containers[0].env[0].value", literal["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(literal["fix"]!.GetValue<string>()));
        Assert.Equal(5, literal["line"]!.GetValue<int>());
        Assert.DoesNotContain(LiteralPassword, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_SarifOutput_NamesLintTool()
    {
        var file = cli.TempFile("pod.yaml", LeakyPod);

        var result = await cli.RunAsync("lint", file, "-o", "sarif");

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        Assert.Equal("coffer-lint", JsonNode.Parse(result.Output)!["runs"]![0]!["tool"]!["driver"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lint_HelmOutputOnStdin_FindingsReportedForDash()
    {
        var rendered = "---\n# Source: chart/templates/role.yaml\n" + """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: chart-reader}
            rules:
              - {apiGroups: [""], resources: [configmaps], verbs: [get]}
              - {apiGroups: ["*"], resources: [secrets], verbs: ["*"]}
            """;

        var result = await cli.RunWithInputAsync(rendered, "lint", "-", "-o", "json");

        Assert.Equal(CliExitCode.Error, result.ExitCode);
        var findings = JsonNode.Parse(result.Output)!.AsArray();
        Assert.Contains(findings, f => f!["ruleId"]!.GetValue<string>() == "rbac-wildcard" && f["path"]!.GetValue<string>() == "-"
            && f["message"]!.GetValue<string>().StartsWith("ClusterRole/chart-reader: rules[1]:", StringComparison.Ordinal));
        Assert.Contains(findings, f => f!["ruleId"]!.GetValue<string>() == "rbac-secret-read");
    }

    [Fact]
    public async Task Lint_SecretNamePatternOption_Applied()
    {
        var file = cli.TempFile("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, labels: {owner: x}, annotations: {coffer.dev/rotation: 30d}}\n");

        var strict = await cli.RunAsync("lint", file, "-o", "json");
        var relaxed = await cli.RunAsync("lint", file, "-o", "json", "--secret-name-pattern", "^[a-z]+$");

        Assert.Contains("secret-name-convention", strict.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-name-convention", relaxed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_InvalidNamePattern_Exit2()
    {
        var file = cli.TempFile("secret.yaml", CompliantSecret);

        var result = await cli.RunAsync("lint", file, "--secret-name-pattern", "([a-z");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.StartsWith("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_MissingPath_Exit2()
    {
        var result = await cli.RunAsync("lint", Path.Combine(cli.Home, "absent.yaml"));

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("absent.yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_MalformedYaml_Exit2NamingFileAndLineWithoutFindings()
    {
        var file = cli.TempFile("broken.yaml", "apiVersion: v1\nkind: Secret\n- metadata\n");

        var result = await cli.RunAsync("lint", file);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Matches(@"error: .*broken\.yaml:3:1: not valid YAML", result.Error);
    }

    [Fact]
    public async Task Lint_AliasBombOnStdin_Exit2()
    {
        var bomb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var result = await cli.RunWithInputAsync(bomb.ToString(), "lint", "-");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("alias bomb", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_HugeStdin_Exit2()
    {
        var huge = "data: " + new string('a', 11 * 1024 * 1024);

        var result = await cli.RunWithInputAsync(huge, "lint", "-");

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("larger than 10 MiB", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_HugeFile_Exit2()
    {
        var file = cli.TempFile("huge.yaml", "data: " + new string('a', 11 * 1024 * 1024));

        var result = await cli.RunAsync("lint", file);

        Assert.Equal(CliExitCode.Usage, result.ExitCode);
        Assert.Contains("huge.yaml: larger than 10 MiB", result.Error, StringComparison.Ordinal);
    }
}
