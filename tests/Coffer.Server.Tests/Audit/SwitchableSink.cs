using Coffer.Server.Audit;

namespace Coffer.Server.Tests.Audit;

/// <summary>The real file sink, which a test can make fail as a full or vanished disk would.</summary>
internal sealed class SwitchableSink(IAuditSink inner) : IAuditSink, IDisposable
{
    public volatile bool Dead;

    public string Name => inner.Name;

    public bool Durable => inner.Durable;

    public void Write(ReadOnlySpan<byte> lines)
    {
        ThrowIfDead();
        inner.Write(lines);
    }

    public void FlushToDisk()
    {
        ThrowIfDead();
        inner.FlushToDisk();
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private void ThrowIfDead()
    {
        if (Dead)
        {
            throw new IOException("No space left on device");
        }
    }
}
