namespace Coffer.Server.Audit;

/// <summary>
/// Where audit lines go. Writes are synchronous on purpose: handing a few kilobytes to the OS costs less than the
/// thread hop an asynchronous write would add to every read; only forcing them to disk is slow, and that is grouped.
/// </summary>
internal interface IAuditSink
{
    string Name { get; }

    /// <summary>
    /// Whether a write that returned means the lines are out of this process for good (a file, standard output);
    /// a request is answered only once a durable sink holds its entry. A forwarding queue is not.
    /// </summary>
    bool Durable { get; }

    /// <summary>Hands the lines to the sink (out of the process); throws if it cannot take them.</summary>
    void Write(ReadOnlySpan<byte> lines);

    /// <summary>Forces everything written so far to stable storage, so that a power loss cannot lose it.</summary>
    void FlushToDisk();
}
