using Coffer.Server.Audit;

namespace Coffer.Server.Tests.Audit;

/// <summary>The real file sink, which a test can make fail as a full or vanished disk would.</summary>
internal sealed class SwitchableSink(IAuditSink inner) : IAuditSink, IDisposable
{
    public volatile bool Dead;

    public string Name => inner.Name;

    public Task WriteAsync(IReadOnlyList<byte[]> lines, bool flushToDisk, CancellationToken cancellationToken) =>
        Dead ? Task.FromException(new IOException("No space left on device")) : inner.WriteAsync(lines, flushToDisk, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
