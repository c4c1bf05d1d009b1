using System.Diagnostics;
using System.Globalization;

namespace Coffer.Scanning.Sources;

/// <summary>The lines added in the git index, from <c>git diff --cached</c> run without a shell.</summary>
public static class StagedChanges
{
    public static async Task<IReadOnlyList<SourceLine>> ReadAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--diff-filter=ACMR", "--src-prefix=a/", "--dst-prefix=b/" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        var errorTask = process.StandardError.ReadToEndAsync(cancellationToken);
        var lines = await ParseAsync(process.StandardOutput, cancellationToken).ConfigureAwait(false);
        var error = await errorTask.ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git diff --cached failed: {error.Trim()}");
        }

        return lines;
    }

    /// <summary>Reads a unified diff with zero context; only added lines are kept, numbered as in the new file.</summary>
    public static async Task<List<SourceLine>> ParseAsync(TextReader diff, CancellationToken cancellationToken)
    {
        var lines = new List<SourceLine>();
        string? path = null;
        var number = 0;
        while (await diff.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("+++ ", StringComparison.Ordinal))
            {
                path = line == "+++ /dev/null" ? null : line[4..].StartsWith("b/", StringComparison.Ordinal) ? line[6..] : line[4..];
            }
            else if (line.StartsWith("@@ ", StringComparison.Ordinal))
            {
                var plus = line.IndexOf('+', StringComparison.Ordinal);
                var end = line.IndexOfAny([',', ' '], plus);
                number = int.Parse(line.AsSpan(plus + 1, end - plus - 1), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith('+') && path is not null)
            {
                lines.Add(new SourceLine(path, number, line[1..]));
                number++;
            }
        }

        return lines;
    }
}
