using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Coffer.Scanning.Sources;

/// <summary>The lines added by every commit of a repository, streamed from <c>git log -p</c> run without a shell.</summary>
public static class GitHistory
{
    /// <summary>Starts each commit header; a diff line never begins with this control character.</summary>
    private const char HeaderMark = '\u001e';

    private const char FieldSeparator = '\u001f';

    /// <exception cref="InvalidOperationException">git is missing or the folder is not in a repository.</exception>
    public static async IAsyncEnumerable<SourceLine> ReadAsync(string workingDirectory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-c", "core.quotePath=false", "log", "-p", "-U0", "--all", "--full-history", "--no-color", "--no-ext-diff", "--no-renames", "--diff-filter=AM",
            "--src-prefix=a/", "--dst-prefix=b/", "--format=%x1e%H%x1f%an <%ae>%x1f%aI",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        var errorTask = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await foreach (var line in ParseAsync(process.StandardOutput, cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }

            var error = await errorTask.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"git log failed: {error.Trim()}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Reads <c>git log -p -U0</c> output with the header format above; only added lines are kept, numbered as in the commit's file.</summary>
    public static async IAsyncEnumerable<SourceLine> ParseAsync(TextReader log, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GitCommit? commit = null;
        string? path = null;
        var number = 0;
        while (await log.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(HeaderMark))
            {
                commit = ParseHeader(line);
                path = null;
            }
            else if (line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                path = null;
            }
            else if (line.StartsWith("+++ ", StringComparison.Ordinal) && path is null)
            {
                path = line == "+++ /dev/null" ? null : line[4..].StartsWith("b/", StringComparison.Ordinal) ? line[6..] : line[4..];
            }
            else if (line.StartsWith("@@ ", StringComparison.Ordinal))
            {
                var plus = line.IndexOf('+', StringComparison.Ordinal);
                var end = plus < 0 ? -1 : line.IndexOfAny([',', ' '], plus);
                number = end > plus && int.TryParse(line.AsSpan(plus + 1, end - plus - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            }
            else if (line.StartsWith('+') && path is not null && commit is not null)
            {
                yield return new SourceLine(path, number, line[1..]) { Commit = commit };
                number++;
            }
        }
    }

    private static GitCommit? ParseHeader(string line)
    {
        var fields = line[1..].Split(FieldSeparator);
        if (fields.Length != 3 || !DateTimeOffset.TryParse(fields[2], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return null;
        }

        return new GitCommit(fields[0], fields[1], date);
    }
}
