namespace Coffer.Storage;

/// <summary>One entry of the change log: which secret changed, how, and at which revision. Never its data.</summary>
/// <param name="Revision">Strictly increasing across the whole store; a watcher resumes after the last one it saw.</param>
/// <param name="Kind">One of <see cref="SecretChangeLogSql.Written"/>, deleted, undeleted, destroyed or metadata.</param>
public sealed record SecretChangeRecord(long Revision, string Namespace, string Name, long Version, string Kind, DateTimeOffset At);
