using System.Net.Http.Headers;

namespace Coffer.Tests.Shared;

/// <summary>
/// Keeps what each test server wrote (its log lines, audit files and a final /metrics scrape) in the folder named by
/// COFFER_TEST_ARTIFACTS, so that ./test.sh can scan the whole suite's output for test secret values afterwards.
/// </summary>
internal static class LeakScanArtifacts
{
    private static readonly string? Root = Environment.GetEnvironmentVariable("COFFER_TEST_ARTIFACTS") is { Length: > 0 } root ? root : null;

    /// <summary>Where to copy log lines, or null when nobody will scan them.</summary>
    public static StringWriter? NewLogWriter() => Root is null ? null : new StringWriter();

    /// <summary>Scrapes /metrics while the server still runs; null when not kept.</summary>
    public static async Task<string?> ScrapeMetricsAsync(Uri address, string? token)
    {
        if (Root is null || token is null)
        {
            return null;
        }

        try
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await client.GetStringAsync("/metrics").ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // A test may have revoked the token or stopped the server: nothing to scrape.
            return null;
        }
    }

    /// <summary>Copies the logs, metrics and every audit file under <paramref name="folder"/> once the server has stopped.</summary>
    public static void Keep(string folder, StringWriter? logs, string? metrics)
    {
        if (Root is null)
        {
            return;
        }

        var target = Directory.CreateDirectory(Path.Combine(Root, Path.GetFileName(folder.TrimEnd('/')))).FullName;
        File.WriteAllText(Path.Combine(target, "server.log"), logs?.ToString() ?? string.Empty);
        File.WriteAllText(Path.Combine(target, "metrics.txt"), metrics ?? string.Empty);
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "audit*.log", SearchOption.AllDirectories))
            {
                File.Copy(file, Path.Combine(target, $"{Guid.NewGuid():N}-{Path.GetFileName(file)}"));
            }
        }
    }
}
