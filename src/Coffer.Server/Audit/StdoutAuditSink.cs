namespace Coffer.Server.Audit;

/// <summary>JSON lines on standard output, for a container runtime's log collector. Written once handed to the pipe.</summary>
internal sealed class StdoutAuditSink(Stream output) : IAuditSink
{
    private readonly Lock writeLock = new();

    public string Name => "stdout";

    public bool Durable => true;

    public void Write(ReadOnlySpan<byte> lines)
    {
        lock (writeLock)
        {
            output.Write(lines);
            output.Flush();
        }
    }

    public void FlushToDisk()
    {
        // A pipe has no disk of its own; what was written has left the process.
    }
}
