using System.Buffers;
using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Server.Hosting;
using Coffer.Storage;

namespace Coffer.Server.Audit;

/// <summary>
/// The tamper-evident audit log. A request's entry takes its place in the hash chain in a shared buffer; the first
/// request to need the buffer out writes it, with every entry that queued meanwhile, in one write; forcing to disk is
/// grouped the same way. No request is answered before its entry is out of the process (on disk, for changes). If no
/// sink takes a buffer, its entries are dropped from the chain, which continues from the last written entry, and their
/// requests are refused: a failed write leaves no gap.
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    private readonly IReadOnlyList<IAuditSink> sinks;
    private readonly AuditSigner signer;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock chainLock = new();
    private readonly Lock writeLock = new();
    private readonly SemaphoreSlim syncGate = new(1, 1);
    private readonly Utf8JsonWriter entryWriter = new(Stream.Null);
    private readonly ITimer? checkpointTimer;
    private Batch current;
    private ArrayBufferWriter<byte>? spareLines;
    private bool disposed;
    private IDisposable? directoryLock;
    private long nextSeq;
    private string head;
    private long failures;
    private long writtenBatch = -1;
    private long syncedBatch = -1;
    private long writtenSeq;
    private long syncedSeq;
    private long keptWithChanges;

    public AuditLog(IReadOnlyList<IAuditSink> sinks, AuditSigner signer, TimeProvider time, ILogger logger, long nextSeq, string head, TimeSpan checkpointInterval)
    {
        this.sinks = sinks;
        this.signer = signer;
        this.time = time;
        this.logger = logger;
        this.nextSeq = nextSeq;
        this.head = head;
        writtenSeq = syncedSeq = nextSeq;
        current = new Batch(0, nextSeq, head, new(4096));
        if (checkpointInterval > TimeSpan.Zero)
        {
            checkpointTimer = time.CreateTimer(_ => _ = CheckpointAsync(final: false, CancellationToken.None), null, checkpointInterval, checkpointInterval);
        }
    }

    /// <summary>Entries written so far; the next one's sequence number.</summary>
    public long Count
    {
        get
        {
            lock (writeLock)
            {
                return current.StartSeq;
            }
        }
    }

    /// <summary>Entries in the chain that are not yet written: the audit queue's depth.</summary>
    public int Pending
    {
        get
        {
            lock (chainLock)
            {
                return current.Count;
            }
        }
    }

    /// <summary>Writes that no sink accepted (each refused its requests).</summary>
    public long Failures => Interlocked.Read(ref failures);

    public AuditSigner Signer => signer;

    /// <summary>Names this log's records kept with their changes.</summary>
    public string LogId => signer.KeyId;

    /// <summary>Entries committed with their changes so far.</summary>
    public long KeptWithChanges => Interlocked.Read(ref keptWithChanges);

    /// <summary>
    /// Counts an entry committed with its change. Counted after the commit, not when the entry is handed out, so a flush
    /// that sees the count has the copy to drop: one counted earlier could commit after the drop and stay behind.
    /// </summary>
    public void CountKept() => Interlocked.Increment(ref keptWithChanges);

    /// <summary>Entries before this sequence number are on stable storage in the file.</summary>
    public long SyncedSeq => Volatile.Read(ref syncedSeq);

    /// <summary>The newest checkpoint written, for an independent copy that exposes a truncated file.</summary>
    public AuditEntry? LatestCheckpoint { get; private set; }

    /// <summary>Opens the log in <paramref name="path"/>, continuing the chain where the newest file ends.</summary>
    /// <param name="extraSinks">Standard output and SIEM forwarding, written after the file.</param>
    /// <exception cref="CofferException">Another server already writes to this log.</exception>
    public static AuditLog Open(string path, AuditSigner signer, TimeProvider time, ILogger logger, TimeSpan checkpointInterval, Func<IAuditSink, IAuditSink>? wrap = null, long maxFileBytes = 0, IReadOnlyList<IAuditSink>? extraSinks = null)
    {
        var held = LockDirectory(path);
        try
        {
            var (seq, head) = ReadTail(path);
            IAuditSink file = new FileAuditSink(path, maxFileBytes);
            return new AuditLog([wrap is null ? file : wrap(file), .. extraSinks ?? []], signer, time, logger, seq, head, checkpointInterval) { directoryLock = held };
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes once at least one sink holds the entry (on stable storage if <paramref name="sync"/>); throws 503
    /// <c>AuditUnavailable</c> if none took it. A later synced entry makes every earlier one stable too.
    /// </summary>
    public Task RecordAsync(AuditEntry template, bool sync, CancellationToken cancellationToken) => RecordAsync(template, sync, final: false, cancellationToken);

    /// <summary>
    /// Forces every entry written so far to stable storage on a pool thread, so the caller can go on meanwhile; the task
    /// throws 503 <c>AuditUnavailable</c> if no sink could. Flushes run together as in <see cref="RecordAsync(AuditEntry, bool, CancellationToken)"/>.
    /// </summary>
    public Task FlushWrittenAsync(CancellationToken cancellationToken)
    {
        var target = Volatile.Read(ref writtenBatch);
        return Task.Run(() => SyncAsync(target, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Records a change's request entry as <see cref="RecordAsync(AuditEntry, bool, CancellationToken)"/> does without
    /// <c>sync</c>, and returns the entry's line for the change to store in its own transaction.
    /// </summary>
    public ChangeAuditRecord RecordForChange(AuditEntry template)
    {
        var (batch, seq, line) = Append(template, final: false, keepLine: true);
        return WriteOut(batch) ? new ChangeAuditRecord(LogId, seq, line!) : throw Unavailable();
    }

    /// <summary>Forces every entry written so far to stable storage; returns the sequence number before which all are.</summary>
    public async Task<long> FlushAsync(CancellationToken cancellationToken)
    {
        var seq = Volatile.Read(ref writtenSeq);
        await SyncAsync(Volatile.Read(ref writtenBatch), cancellationToken).ConfigureAwait(false);
        return seq;
    }

    /// <summary>
    /// Restores the records that <paramref name="outbox"/> kept with their changes and the file lost (a crash before the
    /// file reached the disk), re-chained after the file's last entry; then drops the kept copies. Returns how many.
    /// </summary>
    public async Task<int> RecoverAsync(IAuditOutbox outbox, CancellationToken cancellationToken)
    {
        var kept = await outbox.ReadAsync(LogId, cancellationToken).ConfigureAwait(false);
        if (kept.Count == 0)
        {
            return 0;
        }

        var lost = kept.Where(r => r.Seq >= SyncedSeq).ToList();
        foreach (var record in lost)
        {
            var entry = AuditLine.ParseEntry(record.Line);
            await RecordAsync(entry with { RecoveredSeq = entry.RecoveredSeq ?? entry.Seq }, sync: false, cancellationToken).ConfigureAwait(false);
        }

        if (lost.Count > 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await outbox.PruneAsync(LogId, kept[^1].Seq, cancellationToken).ConfigureAwait(false);
        return lost.Count;
    }

    public Task CheckpointAsync(bool final, CancellationToken cancellationToken) => RecordAsync(Template(AuditEntry.CheckpointKind), sync: true, final, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (checkpointTimer is not null)
        {
            await checkpointTimer.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await RecordAsync(Template(AuditEntry.CheckpointKind), sync: true, final: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CofferException)
        {
            // Already logged; the verifier will report the log as not closed.
        }

        lock (writeLock)
        {
            lock (chainLock)
            {
                disposed = true;
            }

            foreach (var sink in sinks.OfType<IDisposable>())
            {
                sink.Dispose();
            }

            entryWriter.Dispose();
        }

        foreach (var sink in sinks.OfType<IAsyncDisposable>())
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }

        syncGate.Dispose();
        signer.Dispose();
        directoryLock?.Dispose();
    }

    public AuditEntry Template(string kind)
    {
        var now = time.GetUtcNow();
        return new() { Seq = 0, Id = AuditId.New(now), Time = now, Kind = kind, Prev = string.Empty };
    }

    private Task RecordAsync(AuditEntry template, bool sync, bool final, CancellationToken cancellationToken)
    {
        Batch batch;
        try
        {
            (batch, _, _) = Append(template, final, keepLine: false);
        }
        catch (CofferException e)
        {
            return Task.FromException(e);
        }

        return !WriteOut(batch) ? Task.FromException(Unavailable())
            : sync ? SyncAsync(batch.Number, cancellationToken)
            : Task.CompletedTask;
    }

    /// <summary>Gives the entry its place in the chain, in the buffer that the next write takes out; with its line if asked.</summary>
    private (Batch Batch, long Seq, byte[]? Line) Append(AuditEntry template, bool final, bool keepLine)
    {
        lock (chainLock)
        {
            if (disposed)
            {
                throw Unavailable();
            }

            var entry = template with { Seq = nextSeq, Prev = head };
            if (entry.Kind == AuditEntry.CheckpointKind)
            {
                entry = entry with { Count = nextSeq, Head = head, Final = final ? true : null, Signature = signer.Sign(nextSeq, head) };
                current.Checkpoint = entry;
            }

            var start = current.Lines.WrittenCount;
            head = AuditChain.Append(entry, current.Lines, entryWriter);
            var line = keepLine ? current.Lines.WrittenSpan[start..].ToArray() : null;
            current.Count++;
            return (current, nextSeq++, line);
        }
    }

    /// <summary>Writes the buffer holding the entry unless an earlier caller already did; true if a sink took it.</summary>
    private bool WriteOut(Batch batch)
    {
        lock (writeLock)
        {
            if (batch.State != BatchState.Pending)
            {
                return batch.State == BatchState.Written;
            }

            // Batches go out in order under this lock, so a pending one is the one entries are still joining.
            lock (chainLock)
            {
                current = new Batch(batch.Number + 1, nextSeq, head, TakeSpare());
            }

            var written = 0;
            foreach (var sink in sinks)
            {
                try
                {
                    sink.Write(batch.Lines.WrittenSpan);
                    written += sink.Durable ? 1 : 0;
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
                batch.State = BatchState.Failed;
                lock (chainLock)
                {
                    // Entries that joined the next buffer meanwhile are chained onto the lost ones: they go too.
                    current.State = BatchState.Failed;
                    current = new Batch(batch.Number + 2, batch.StartSeq, batch.StartHead, TakeSpare());
                    nextSeq = batch.StartSeq;
                    head = batch.StartHead;
                }

                return false;
            }

            batch.State = BatchState.Written;
            Volatile.Write(ref writtenSeq, batch.StartSeq + batch.Count);
            Volatile.Write(ref writtenBatch, batch.Number);
            batch.Lines.ResetWrittenCount();
            spareLines = batch.Lines;
            if (batch.Checkpoint is not null)
            {
                LatestCheckpoint = batch.Checkpoint;
            }

            return true;
        }
    }

    /// <summary>A buffer for the next batch: the one last written out, which nobody reads again, or a new one.</summary>
    private ArrayBufferWriter<byte> TakeSpare()
    {
        var lines = spareLines ?? new(4096);
        spareLines = null;
        return lines;
    }

    /// <summary>Forces written batches to disk; one flush serves every batch written before it started.</summary>
    private async Task SyncAsync(long number, CancellationToken cancellationToken)
    {
        await syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref syncedBatch) >= number)
            {
                return;
            }

            // The sequence first: the batch read after it is at least as new, so the flush covers it.
            var targetSeq = Volatile.Read(ref writtenSeq);
            var target = Volatile.Read(ref writtenBatch);
            var flushed = 0;
            foreach (var sink in sinks)
            {
                try
                {
                    sink.FlushToDisk();
                    flushed += sink.Durable ? 1 : 0;
                }
#pragma warning disable CA1031 // As for writes: any sink that holds the entries durably is enough.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ServerLog.AuditSinkFailed(logger, sink.Name, e.GetType().Name);
                }
            }

            if (flushed == 0)
            {
                Interlocked.Increment(ref failures);
                throw Unavailable();
            }

            Volatile.Write(ref syncedBatch, target);
            Volatile.Write(ref syncedSeq, Math.Max(Volatile.Read(ref syncedSeq), targetSeq));
        }
        finally
        {
            syncGate.Release();
        }
    }

    /// <summary>
    /// One writer per log: two servers appending to one file would interleave two chains (and share one log id for the
    /// copies kept with changes). The lock goes with the process, however it ends.
    /// </summary>
    private static FileStream LockDirectory(string path)
    {
        var lockPath = path + ".lock";
        try
        {
            return new FileStream(lockPath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        }
        catch (IOException)
        {
            throw new CofferException(ErrorKind.Conflict, "AuditLogInUse", $"another Coffer server writes the audit log {path}; give each server (each replica) its own --audit-dir");
        }
    }

    private static CofferException Unavailable() =>
        new(ErrorKind.Unavailable, "AuditUnavailable", "the audit log cannot be written, so the request was refused");

    /// <summary>The sequence and hash to continue from: those after the newest file's last entry, or the start of a chain.</summary>
    private static (long Seq, string Head) ReadTail(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            // Rotated just before a stop: the chain ends in the newest rotated file.
            return FileAuditSink.RotatedFiles(path) is [.., var newest] ? ReadTail(newest) : (0, AuditChain.Genesis);
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

    private enum BatchState
    {
        Pending,
        Written,
        Failed,
    }

    /// <summary>Entries that go out in one write, and where the chain stood before the first of them.</summary>
    private sealed class Batch(long number, long startSeq, string startHead, ArrayBufferWriter<byte> lines)
    {
        public long Number { get; } = number;

        public long StartSeq { get; } = startSeq;

        public string StartHead { get; } = startHead;

        public ArrayBufferWriter<byte> Lines { get; } = lines;

        public AuditEntry? Checkpoint { get; set; }

        public int Count { get; set; }

        public BatchState State { get; set; }
    }
}
