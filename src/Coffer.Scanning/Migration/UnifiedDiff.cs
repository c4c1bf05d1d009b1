using System.Globalization;
using System.Text;

namespace Coffer.Scanning.Migration;

/// <summary>A unified diff of two texts by lines (longest common subsequence), as <c>diff -u</c> prints it.</summary>
public static class UnifiedDiff
{
    /// <summary>Beyond this many line pairs the table costs too much memory; the diff then shows the whole file replaced.</summary>
    private const long MaxCells = 16_000_000;

    public static string Create(string original, string rewritten, string path, int context = 3)
    {
        var a = SplitLines(original);
        var b = SplitLines(rewritten);
        var script = (long)a.Length * b.Length <= MaxCells ? Script(a, b) : [.. a.Select(l => (Op: '-', Line: l)).Concat(b.Select(l => (Op: '+', Line: l)))];
        var output = new StringBuilder();
        // git's a/ and b/ prefixes suit relative paths only.
        var (before, after) = Path.IsPathRooted(path) ? (path, path) : ($"a/{path}", $"b/{path}");
        output.Append("--- ").Append(before).Append('\n').Append("+++ ").Append(after).Append('\n');
        var i = 0;
        while (i < script.Count)
        {
            if (script[i].Op == ' ')
            {
                i++;
                continue;
            }

            // A hunk runs from context lines before the first change to context lines after the last change it absorbs.
            var start = Math.Max(0, i - context);
            var end = i;
            var quiet = 0;
            while (end < script.Count && (script[end].Op != ' ' || quiet < 2 * context))
            {
                quiet = script[end].Op == ' ' ? quiet + 1 : 0;
                end++;
            }

            end -= Math.Max(0, quiet - context);
            var (oldStart, newStart) = Positions(script, start);
            var oldCount = script.Skip(start).Take(end - start).Count(e => e.Op != '+');
            var newCount = script.Skip(start).Take(end - start).Count(e => e.Op != '-');
            output.Append(CultureInfo.InvariantCulture, $"@@ -{oldStart + 1},{oldCount} +{newStart + 1},{newCount} @@\n");
            for (var k = start; k < end; k++)
            {
                output.Append(script[k].Op).Append(script[k].Line).Append('\n');
            }

            i = end;
        }

        return output.ToString();
    }

    private static string[] SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static (int Old, int New) Positions(List<(char Op, string Line)> script, int upTo)
    {
        var (old, next) = (0, 0);
        for (var k = 0; k < upTo; k++)
        {
            old += script[k].Op != '+' ? 1 : 0;
            next += script[k].Op != '-' ? 1 : 0;
        }

        return (old, next);
    }

    private static List<(char Op, string Line)> Script(string[] a, string[] b)
    {
        // lengths[i, j]: the longest common subsequence of a[i..] and b[j..].
        var lengths = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lengths[i, j] = a[i] == b[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        var script = new List<(char, string)>(a.Length + b.Length);
        var (x, y) = (0, 0);
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                script.Add((' ', a[x++]));
                y++;
            }
            else if (x < a.Length && (y == b.Length || lengths[x + 1, y] >= lengths[x, y + 1]))
            {
                script.Add(('-', a[x++]));
            }
            else
            {
                script.Add(('+', b[y++]));
            }
        }

        return script;
    }
}
