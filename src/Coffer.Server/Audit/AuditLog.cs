using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Server.Hosting;

namespace Coffer.Server.Audit;

/// <summary>
/// The tamper-evident audit log. Entries are batched: while one batch is written, the next gathers, and each is
/// written (and flushed to disk) once; a request's entry is durable before the request is answered. Entries get their
/// place in the hash chain only when written, so a failed write leaves no gap: its requests are refused instead.
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    private readonly IReadOnlyList<IAuditSink> sinks;
    private readonly AuditSigner signer;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock queueLock = new();
    private readonly ITimer? checkpointTimer;
    private List<Pending> queue = [];
    private bool writing;
    private bool disposed;
    private long nextSeq;
    private string head;
    private long failures;

    public AuditLog(IReadOnlyList<IAuditSink> sinks, AuditSigner signer, TimeProvider time, ILogger logger, long nextSeq, string head, TimeSpan checkpointInterval)
    {
        this.sinks = sinks;
        this.signer = signer;
        this.time = time;
        this.logger = logger;
        this.nextSeq = nextSeq;
        this.head = head;
        if (checkpointInterval > TimeSpan.Zero)
        {
            checkpointTimer = time.CreateTimer(_ => _ = CheckpointAsync(final: false, CancellationToken.None), null, checkpointInterval, checkpointInterval);
        }
    }

    /// <summary>Entries written so far; the next one's sequence number.</summary>
    public long Count => Interlocked.Read(ref nextSeq);

    /// <summary>Writes that no sink accepted (each refused its requests).</summary>
    public long Failures => Interlocked.Read(ref failures);

    public AuditSigner Signer => signer;

    /// <summary>The newest checkpoint written, for an independent copy that exposes a truncated file.</summary>
    public AuditEntry? LatestCheckpoint { get; private set; }

    /// <summary>Opens the log in <paramref name="path"/>, continuing the chain where the file ends.</summary>
    public static AuditLog Open(string path, AuditSigner signer, TimeProvider time, ILogger logger, TimeSpan checkpointInterval, Func<IAuditSink, IAuditSink>? wrap = null)
    {
        var (seq, head) = ReadTail(path);
        IAuditSink file = new FileAuditSink(path);
        return new AuditLog([wrap is null ? file : wrap(file)], signer, time, logger, seq, head, checkpointInterval);
    }

    /// <summary>
    /// Completes once at least one sink holds the entry (on stable storage if <paramref name="sync"/>); throws 503
    /// <c>AuditUnavailable</c> if none took it. A later synced entry makes every earlier one stable too.
    /// </summary>
    public Task RecordAsync(AuditEntry template, bool sync, CancellationToken cancellationToken) => EnqueueAsync(new AuditDraft(template, Sync: sync), cancellationToken);

    public Task CheckpointAsync(bool final, CancellationToken cancellationToken) =>
        EnqueueAsync(new AuditDraft(Template(AuditEntry.CheckpointKind), final), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (checkpointTimer is not null)
        {
            await checkpointTimer.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await CheckpointAsync(final: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CofferException)
        {
            // Already logged; the verifier will report the log as not closed.
        }

        lock (queueLock)
        {
            disposed = true;
        }

        foreach (var sink in sinks.OfType<IDisposable>())
        {
            sink.Dispose();
        }

        signer.Dispose();
    }

    public AuditEntry Template(string kind)
    {
        var now = time.GetUtcNow();
        return new() { Seq = 0, Id = Guid.CreateVersion7(now).ToString("N"), Time = now, Kind = kind, Prev = string.Empty };
    }

    private Task EnqueueAsync(AuditDraft draft, CancellationToken cancellationToken)
    {
        var pending = new Pending(draft);
        bool lead;
        lock (queueLock)
        {
            if (disposed)
            {
                return Task.FromException(Unavailable());
            }

            queue.Add(pending);
            lead = !writing;
            writing = true;
        }

        // The first writer writes its own batch, as a lone request always did: no thread hop on the read path.
        return lead ? LeadAsync(pending, cancellationToken) : pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes the batch holding its own entry, then hands what queued meanwhile to a pool thread, so under load no request waits on others' batches.</summary>
    private async Task LeadAsync(Pending pending, CancellationToken cancellationToken)
    {
        if (TakeBatch() is { } batch)
        {
            await WriteBatchAsync(batch).ConfigureAwait(false);
        }

        lock (queueLock)
        {
            if (queue.Count == 0)
            {
                writing = false;
            }
            else
            {
                _ = Task.Run(DrainAsync, CancellationToken.None);
            }
        }

        await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private List<Pending>? TakeBatch()
    {
        lock (queueLock)
        {
            if (queue.Count == 0)
            {
                writing = false;
                return null;
            }

            var batch = queue;
            queue = [];
            return batch;
        }
    }

    private async Task DrainAsync()
    {
        while (TakeBatch() is { } batch)
        {
            await WriteBatchAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        var seq = nextSeq;
        var previous = head;
        var lines = new List<byte[]>(batch.Count);
        AuditEntry? checkpoint = null;
        foreach (var pending in batch)
        {
            var entry = pending.Draft.Template with { Seq = seq, Prev = previous };
            if (entry.Kind == AuditEntry.CheckpointKind)
            {
                entry = entry with { Count = seq, Head = previous, Final = pending.Draft.Final ? true : null, Signature = signer.Sign(seq, previous) };
                checkpoint = entry;
            }

            var (line, hash) = AuditChain.Serialize(entry);
            lines.Add(line);
            previous = hash;
            seq++;
        }

        var written = 0;
        foreach (var sink in sinks)
        {
            try
            {
                await sink.WriteAsync(lines, batch.Any(p => p.Draft.Sync), CancellationToken.None).ConfigureAwait(false);
                written++;
            }
#pragma warning disable CA1031 // Any sink failure is reported and the next sink tried; none succeeding fails closed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ServerLog.AuditSinkFailed(logger, sink.Name, e.GetType().Name);
            }
        }

        if (written == 0)
        {
            Interlocked.Increment(ref failures);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(Unavailable());
            }

            return;
        }

        Interlocked.Exchange(ref nextSeq, seq);
        head = previous;
        if (checkpoint is not null)
        {
            LatestCheckpoint = checkpoint;
        }

        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult();
        }
    }

    private static CofferException Unavailable() =>
        new(ErrorKind.Unavailable, "AuditUnavailable", "the audit log cannot be written, so the request was refused");

    /// <summary>The sequence and hash to continue from: those after the file's last entry, or the start of a chain.</summary>
    private static (long Seq, string Head) ReadTail(string path)
    {
        if (!File.Exists(path))
        {
            return (0, AuditChain.Genesis);
        }

        string? last = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                last = line;
            }
        }

        if (last is null)
        {
            return (0, AuditChain.Genesis);
        }

        try
        {
            using var document = JsonDocument.Parse(last);
            var seq = document.RootElement.GetProperty("entry").GetProperty("seq").GetInt64();
            var hash = document.RootElement.GetProperty("hash").GetString()!;
            return (seq + 1, hash);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CofferException(ErrorKind.Invalid, "AuditLogCorrupt", $"the last line of the audit log {path} is not an audit entry; check it with 'coffer audit verify' before starting");
        }
    }

    private sealed class Pending(AuditDraft draft)
    {
        public AuditDraft Draft { get; } = draft;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
