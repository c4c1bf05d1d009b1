using System.Net.Http.Headers;
using System.Threading.Channels;
using Coffer.Server.Hosting;

namespace Coffer.Server.Audit;

/// <summary>
/// Forwards audit lines to a SIEM's HTTP endpoint as batches of JSON lines (<c>application/x-ndjson</c>), retried with
/// exponential backoff, from a bounded queue of its own: a slow or dead SIEM fills the queue, then this sink refuses
/// writes (and the file still holds them), but never slows a request down. Not durable: entries count as recorded
/// only once a file or standard output holds them.
/// </summary>
internal sealed class HttpAuditSink : IAuditSink, IAsyncDisposable
{
    public const int DefaultQueueBatches = 10_000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly Channel<byte[]> queue;
    private readonly HttpClient client;
    private readonly Uri endpoint;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task sender;
    private long delivered;

    public HttpAuditSink(Uri endpoint, string? bearerToken, ILogger logger, TimeProvider time, int queueBatches = DefaultQueueBatches, HttpMessageHandler? handler = null)
    {
        this.endpoint = endpoint;
        this.logger = logger;
        this.time = time;
        queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(queueBatches) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.Timeout = TimeSpan.FromSeconds(30);
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        sender = Task.Run(SendLoopAsync);
    }

    public string Name => $"http:{endpoint.GetLeftPart(UriPartial.Path)}";

    public bool Durable => false;

    /// <summary>Batches accepted by the endpoint so far.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Batches waiting to be sent.</summary>
    public int Queued => queue.Reader.Count;

    public void Write(ReadOnlySpan<byte> lines)
    {
        if (!queue.Writer.TryWrite(lines.ToArray()))
        {
            throw new InvalidOperationException("the SIEM forwarding queue is full");
        }
    }

    public void FlushToDisk()
    {
        // Delivery is asynchronous by design; there is nothing to force here.
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();

        // Give the queue a moment to drain at shutdown, then stop retrying.
        stopping.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Entries still queued are in the file; the SIEM misses them.
        }

        client.Dispose();
        stopping.Dispose();
    }

    private async Task SendLoopAsync()
    {
        await foreach (var batch in queue.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
        {
            var backoff = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                try
                {
                    using var content = new ByteArrayContent(batch);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                    using var response = await client.PostAsync(endpoint, content, stopping.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref delivered);
                        break;
                    }

                    ServerLog.AuditSinkFailed(logger, Name, $"HTTP {(int)response.StatusCode}");
                }
                catch (HttpRequestException e)
                {
                    ServerLog.AuditSinkFailed(logger, Name, e.GetType().Name);
                }
                catch (TaskCanceledException e) when (!stopping.IsCancellationRequested)
                {
                    ServerLog.AuditSinkFailed(logger, Name, e.GetType().Name);
                }

                await Task.Delay(backoff, time, stopping.Token).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
