namespace Coffer.Server.Audit;

/// <summary>
/// Where audit lines go. Writes are synchronous on purpose: handing a few kilobytes to the OS costs less than the
/// thread hop an asynchronous write would add to every read; only forcing them to disk is slow, and that is grouped.
/// </summary>
internal interface IAuditSink
{
    string Name { get; }

    /// <summary>Hands the lines to the sink (out of the process); throws if it cannot take them.</summary>
    void Write(ReadOnlySpan<byte> lines);

    /// <summary>Forces everything written so far to stable storage, so that a power loss cannot lose it.</summary>
    void FlushToDisk();
}
