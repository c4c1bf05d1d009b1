using System.Text.Json;

namespace Coffer.Server.Audit;

/// <summary>What the file holds per line: the entry as written, and the chain hash over it.</summary>
internal sealed record AuditLine(AuditEntry Entry, string Hash)
{
    /// <summary>The entry of a line the log wrote itself (such as a copy kept with a change).</summary>
    /// <exception cref="JsonException">The line is not an audit line.</exception>
    public static AuditEntry ParseEntry(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(line.ToArray());
        return document.RootElement.GetProperty("entry").Deserialize(AuditJsonContext.Default.AuditEntry)
            ?? throw new JsonException("the audit line holds no entry");
    }
}
