namespace Coffer.Storage.Snapshots;

/// <summary>Every table of a snapshot, in the order written; the same data gives the same summary on either backend.</summary>
/// <param name="Attachments">Files carried beside the tables (the newest signed audit checkpoint), by name.</param>
public sealed record SnapshotSummary(IReadOnlyList<SnapshotTable> Tables, IReadOnlyDictionary<string, byte[]>? Attachments = null)
{
    public long Rows(string table) => Tables.FirstOrDefault(t => t.Name == table)?.Rows ?? 0;

    /// <summary>The first table whose count or digest differs, or null when both hold the same.</summary>
    public string? FirstDifference(SnapshotSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var table in Tables)
        {
            var theirs = other.Tables.FirstOrDefault(t => t.Name == table.Name);
            if (theirs is null || theirs.Rows != table.Rows || theirs.Sha256 != table.Sha256)
            {
                return $"table {table.Name}: {table.Rows} rows against {theirs?.Rows ?? 0}{(theirs?.Rows == table.Rows ? ", with different contents" : string.Empty)}";
            }
        }

        return other.Tables.FirstOrDefault(t => Tables.All(mine => mine.Name != t.Name)) is { } extra ? $"table {extra.Name} is only on one side" : null;
    }
}
