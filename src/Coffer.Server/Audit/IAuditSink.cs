namespace Coffer.Server.Audit;

/// <summary>Where audit lines go. A write completes only once the sink holds the lines.</summary>
internal interface IAuditSink
{
    string Name { get; }

    /// <param name="flushToDisk">Also force them to stable storage (a power loss cannot lose them), not only out of the process.</param>
    Task WriteAsync(IReadOnlyList<byte[]> lines, bool flushToDisk, CancellationToken cancellationToken);
}
