using System.Diagnostics;
using Coffer.Scanning.Sources;

namespace Coffer.Scanning.Tests.Sources;

public sealed class GitHistoryTests : IDisposable
{
    // Built from parts so this file itself does not look like a leaked token.
    private static readonly string Token = "ghp" + "_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4";

    private readonly string folder = Directory.CreateTempSubdirectory("coffer-history-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ParseAsync_LogWithTwoCommits_AddedLinesWithCommitAndNewFileNumbers()
    {
        var log = string.Join('\n',
            "\u001eaaaa1111\u001fAda <ada@example.invalid>\u001f2026-01-02T03:04:05+01:00",
            string.Empty,
            "diff --git a/app.env b/app.env",
            "new file mode 100644",
            "--- /dev/null",
            "+++ b/app.env",
            "@@ -0,0 +1,2 @@",
            "+A=1",
            "++++ not a header",
            "\u001ebbbb2222\u001fBob <bob@example.invalid>\u001f2026-01-01T00:00:00Z",
            string.Empty,
            "diff --git a/app.env b/app.env",
            "--- a/app.env",
            "+++ b/app.env",
            "@@ -7 +9 @@",
            "-OLD=1",
            "+NEW=1");

        var lines = new List<SourceLine>();
        await foreach (var line in GitHistory.ParseAsync(new StringReader(log), CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal(["app.env:1:A=1", "app.env:2:+++ not a header", "app.env:9:NEW=1"], lines.Select(l => $"{l.Path}:{l.Number}:{l.Text}"));
        Assert.Equal("aaaa1111", lines[0].Commit!.Id);
        Assert.Equal("Ada <ada@example.invalid>", lines[1].Commit!.Author);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), lines[2].Commit!.Date);
    }

    [Fact]
    public async Task ParseAsync_MalformedHunkAndHeader_NoCrashNoCommitlessLines()
    {
        var log = "\u001egarbage\n+++ b/x\n@@ broken @@\n+A=1\n";

        var lines = new List<SourceLine>();
        await foreach (var line in GitHistory.ParseAsync(new StringReader(log), CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Empty(lines);
    }

    [Fact]
    public async Task ScanLinesAsync_SecretCommittedThenRemoved_HistoryFindsItNamingCommitPlainScanDoesNot()
    {
        await GitAsync("init", "-q");
        File.WriteAllText(Path.Combine(folder, "app.env"), $"A=1\nGITHUB_TOKEN={Token}\n");
        await GitAsync("add", "app.env");
        await GitAsync("-c", "user.name=Ada", "-c", "user.email=ada@example.invalid", "commit", "-qm", "add token");
        var added = (await GitAsync("rev-parse", "HEAD")).Trim();
        File.WriteAllText(Path.Combine(folder, "app.env"), "A=1\n");
        await GitAsync("-c", "user.name=Bob", "-c", "user.email=bob@example.invalid", "commit", "-qam", "remove token");
        var scanner = new Scanner(new ScanOptions());

        var history = await scanner.ScanLinesAsync(GitHistory.ReadAsync(folder, CancellationToken.None), CancellationToken.None);
        var plain = await scanner.ScanPathsAsync([folder], CancellationToken.None);

        var finding = Assert.Single(history.Findings);
        Assert.Equal("github-pat", finding.RuleId);
        Assert.Equal(("app.env", 2, Token), (finding.Path, finding.Line, finding.Secret));
        Assert.Equal(added, finding.Commit!.Id);
        Assert.Equal("Ada <ada@example.invalid>", finding.Commit.Author);
        Assert.Empty(plain.Findings);
    }

    [Fact]
    public async Task ReadAsync_NotARepository_InvalidOperationException()
    {
        var outside = Directory.CreateTempSubdirectory("coffer-norepo-").FullName;
        try
        {
            // GIT_CEILING_DIRECTORIES is not ours to set, so use a temp folder, which is never inside a repository here.
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var unused in GitHistory.ReadAsync(outside, CancellationToken.None))
                {
                }
            });
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    private async Task<string> GitAsync(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output;
    }
}
