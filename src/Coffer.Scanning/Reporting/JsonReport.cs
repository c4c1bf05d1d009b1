using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Scanning.Linting;

namespace Coffer.Scanning.Reporting;

/// <summary>Findings of <c>coffer scan</c> or <c>coffer lint</c> as a JSON array; secrets masked unless asked for.</summary>
public static class JsonReport
{
    /// <summary>Written straight to UTF-8 (a scan can report thousands of findings; a node tree per finding cost more than the writing).</summary>
    public static string Render(IEnumerable<Finding> findings, bool showSecrets)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var f in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleId", f.RuleId);
                writer.WriteString("description", f.Description);
                writer.WriteString("path", f.Path);
                writer.WriteNumber("line", f.Line);
                writer.WriteNumber("column", f.Column);
                writer.WriteString("secret", showSecrets ? f.Secret : f.MaskedSecret);
                writer.WriteString("fingerprint", f.Fingerprint);
                if (f.Commit is { } commit)
                {
                    writer.WriteString("commit", commit.Id);
                    writer.WriteString("author", commit.Author);
                    writer.WriteString("date", commit.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Render(IEnumerable<LintFinding> findings) =>
        new JsonArray([.. findings.Select(f => new JsonObject
        {
            ["ruleId"] = f.Check.Id,
            ["severity"] = f.Check.Severity.ToString().ToLowerInvariant(),
            ["message"] = f.Message,
            ["fix"] = f.Check.Fix,
            ["path"] = f.Path,
            ["line"] = f.Line,
            ["column"] = f.Column,
            ["fingerprint"] = f.Fingerprint,
        })]).ToJsonString(Indented);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
