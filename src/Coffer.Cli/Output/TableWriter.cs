using System.Text;

namespace Coffer.Cli.Output;

/// <summary>Left-aligned columns separated by three spaces, like kubectl.</summary>
internal sealed class TableWriter(params string[] headers)
{
    private readonly List<string[]> rows = headers.All(h => h.Length == 0) ? [] : [headers];

    /// <summary>A two-column list of fields and values, where a header would say nothing.</summary>
    public static TableWriter WithoutHeader(int columns) => new(Enumerable.Repeat(string.Empty, columns).ToArray());

    public void AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        rows.Add(cells);
    }

    public async Task WriteAsync(TextWriter output)
    {
        var widths = new int[headers.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var line = new StringBuilder();
        foreach (var row in rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 3));
            }

            await output.WriteLineAsync(line.ToString().TrimEnd()).ConfigureAwait(false);
        }
    }
}
