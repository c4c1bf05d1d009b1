using Coffer.Core.Secrets;

namespace Coffer.Server.Audit;

/// <summary>
/// A change's RequestReceived entry on its way to disk: an endpoint that stores it with the change (one commit for both)
/// says so; otherwise the audit file is forced to disk, started as early as the route is known.
/// </summary>
internal sealed class AuditReceipt(ChangeAuditRecord record, AuditLog log, CancellationToken cancellationToken)
{
    public ChangeAuditRecord Record { get; } = record;

    /// <summary>The change committed with <see cref="Record"/> in its transaction.</summary>
    public bool Stored { get; private set; }

    public Task? Flush { get; private set; }

    public void MarkStored()
    {
        Stored = true;
        log.CountKept();
    }

    /// <summary>Forces the file to disk on a pool thread while the request goes on.</summary>
    public void StartFlush() => Flush ??= log.FlushWrittenAsync(cancellationToken);

    /// <summary>Completes once the entry is durable: committed with its change, or in the file on disk.</summary>
    public Task DurableAsync()
    {
        if (Stored)
        {
            // The commit made it durable; a flush started anyway must not go unobserved.
            _ = Flush?.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return Task.CompletedTask;
        }

        StartFlush();
        return Flush!;
    }
}
