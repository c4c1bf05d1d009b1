namespace Coffer.Server.Audit;

/// <summary>Where audit lines go. A write completes only once the lines are durable there.</summary>
internal interface IAuditSink
{
    string Name { get; }

    Task WriteAsync(IReadOnlyList<byte[]> lines, CancellationToken cancellationToken);
}
