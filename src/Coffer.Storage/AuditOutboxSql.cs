namespace Coffer.Storage;

/// <summary>The statement both backends run inside a change that carries its audit record.</summary>
internal static class AuditOutboxSql
{
    /// <summary>Parameters <c>@log</c>, <c>@seq</c>, <c>@line</c>; runs unchanged on both backends.</summary>
    public const string Insert = "INSERT INTO audit_outbox (log_id, seq, line) VALUES (@log, @seq, @line);";
}
