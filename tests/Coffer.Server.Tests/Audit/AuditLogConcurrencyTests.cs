using Coffer.Core.Errors;
using Coffer.Server.Audit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.Server.Tests.Audit;

/// <summary>The shared buffer and grouped writes under many concurrent callers, with and without a failing sink.</summary>
public sealed class AuditLogConcurrencyTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-audit-concurrency-").FullName;

    private string LogPath => Path.Combine(folder, "audit.log");

    private string PublicKey => File.ReadAllText(Path.Combine(folder, "audit-signing-key.pub.pem"));

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task RecordAsync_ManyConcurrentCallers_EveryEntryOnceInAnIntactChain()
    {
        var log = Open(null);
        var records = Enumerable.Range(0, 400).Select(i => Task.Run(() => log.RecordAsync(Entry(log, i), sync: i % 10 == 0, CancellationToken.None))).ToList();
        await Task.WhenAll(records);
        await log.DisposeAsync();

        var result = AuditVerifier.Verify([LogPath], PublicKey);
        Assert.True(result.Intact, result.Problem);
        var statuses = RequestStatuses();
        Assert.Equal(Enumerable.Range(0, 400), statuses.Order());
    }

    [Fact]
    public async Task RecordAsync_SinkFailsSomeWrites_FailedEntriesLeaveNoGapAndTheRestAreKept()
    {
        var flaky = (FlakySink?)null;
        var log = Open(inner => flaky = new FlakySink(inner));
        var records = Enumerable.Range(0, 400).Select(i => Task.Run(() => log.RecordAsync(Entry(log, i), sync: false, CancellationToken.None))).ToList();
        var accepted = new List<int>();
        var refused = 0;
        for (var i = 0; i < records.Count; i++)
        {
            try
            {
                await records[i];
                accepted.Add(i);
            }
            catch (CofferException e) when (e.Reason == "AuditUnavailable")
            {
                refused++;
            }
        }

        flaky!.Healthy = true;
        await log.DisposeAsync();

        Assert.True(flaky.Failed > 0, "the sink never failed, so the test proved nothing");
        Assert.True(refused > 0);
        Assert.Equal(refused, 400 - accepted.Count);
        var result = AuditVerifier.Verify([LogPath], PublicKey);
        Assert.True(result.Intact, result.Problem);
        Assert.Equal(accepted, RequestStatuses().Order());
        Assert.Equal(flaky.Failed, log.Failures);
    }

    private static AuditEntry Entry(AuditLog log, int i) => log.Template(AuditEntry.RequestKind) with { Stage = "ResponseComplete", Status = i, User = "root" };

    private AuditLog Open(Func<IAuditSink, IAuditSink>? wrap) =>
        AuditLog.Open(LogPath, AuditSigner.LoadOrCreate(folder), TimeProvider.System, NullLogger.Instance, TimeSpan.Zero, wrap);

    private List<int> RequestStatuses() =>
        File.ReadAllLines(LogPath)
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["entry"]!)
            .Where(e => (string?)e["kind"] == AuditEntry.RequestKind)
            .Select(e => (int)e["status"]!)
            .ToList();

    /// <summary>Refuses every third write, as a disk that is intermittently full would.</summary>
    private sealed class FlakySink(IAuditSink inner) : IAuditSink, IDisposable
    {
        private int writes;

        public int Failed { get; private set; }

        /// <summary>Set before shutdown, so the final checkpoint is written and the log verifies as closed.</summary>
        public bool Healthy { get; set; }

        public string Name => inner.Name;

        public bool Durable => inner.Durable;

        public void Write(ReadOnlySpan<byte> lines)
        {
            // Writes are serialised by the log, so a plain counter is exact.
            if (++writes % 3 == 0 && !Healthy)
            {
                Failed++;
                throw new IOException("No space left on device");
            }

            inner.Write(lines);
        }

        public void FlushToDisk() => inner.FlushToDisk();

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}
