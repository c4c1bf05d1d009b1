using System.Collections.Concurrent;
using System.Text;
using Coffer.Server.Audit;

namespace Coffer.Server.Tests.Audit;

/// <summary>The real file sink, which a test can make fail as a full or vanished disk would, and which notes what it was asked.</summary>
internal sealed class SwitchableSink(IAuditSink inner) : IAuditSink, IDisposable
{
    public volatile bool Dead;

    /// <summary>Writes succeed but forcing them to disk fails, as on a disk that reports an I/O error on sync.</summary>
    public volatile bool FlushFails;

    /// <summary>In order: <c>write:</c> with the stages of the entries written, or <c>flush</c>.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public string Name => inner.Name;

    public bool Durable => inner.Durable;

    public void Write(ReadOnlySpan<byte> lines)
    {
        ThrowIfDead();
        inner.Write(lines);
        var text = Encoding.UTF8.GetString(lines);
        Calls.Enqueue("write:" + string.Join(',', new[] { "RequestReceived", "ResponseComplete" }.Where(s => text.Contains(s, StringComparison.Ordinal))));
    }

    public void FlushToDisk()
    {
        ThrowIfDead();
        if (FlushFails)
        {
            throw new IOException("Input/output error");
        }

        inner.FlushToDisk();
        Calls.Enqueue("flush");
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
