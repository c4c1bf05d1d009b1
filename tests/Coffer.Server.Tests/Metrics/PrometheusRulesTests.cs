using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Metrics;

/// <summary>The shipped alerting rules and dashboard: valid for promtool, unit-tested, and naming only metrics the server serves.</summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot(), "deploy");

    [Fact]
    public async Task AlertRules_PassPromtoolCheckAndTheirUnitTests()
    {
        var folder = Path.Combine(Deploy, "prometheus");
        var (checkExit, check) = await ExternalTool.RunAsync("promtool", ["check", "rules", "coffer-alerts.yaml"], workingDirectory: folder);
        var (testExit, test) = await ExternalTool.RunAsync("promtool", ["test", "rules", "coffer-alerts.test.yaml"], workingDirectory: folder);

        Assert.True(checkExit == 0, check);
        Assert.True(testExit == 0, test);
        Assert.Contains("SUCCESS", test, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesAndDashboard_NameOnlyMetricsTheServerServes()
    {
        await using var server = await TestServer.StartDevAsync();
        await server.GetJsonAsync("/v1/namespaces");
        using var response = await server.Client.GetAsync("/metrics");
        var served = TypeLine().Matches(await response.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Deploy, "grafana", "coffer-dashboard.json")))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => (string)t!["expr"]!))
            .Append(await File.ReadAllTextAsync(Path.Combine(Deploy, "prometheus", "coffer-alerts.yaml")));
        var named = expressions.SelectMany(e => MetricName().Matches(e).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", string.Empty))).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(named);
        Assert.Empty(named.Except(served).Order(StringComparer.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Coffer.slnx) was not found above the test binaries");
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\b(?:coffer|http)_[a-z_]+\b")]
    private static partial Regex MetricName();
}
