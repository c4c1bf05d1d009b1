using System.Collections.Concurrent;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Channels;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>
/// Object keys waiting for a reconcile: a key queued twice before its turn is worked once, keys are worked one at a
/// time, and a reconcile that fails on the network or an API answer is queued again after a pause.
/// </summary>
internal sealed class ReconcileQueue(TimeSpan retryDelay, TimeProvider time, ILogger logger)
{
    private readonly Channel<string> queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> queued = new(StringComparer.Ordinal);
    private long reconciles;

    /// <summary>Reconciles finished so far; tests and the benchmark wait on it.</summary>
    public long Reconciles => Interlocked.Read(ref reconciles);

    public void Enqueue(string key)
    {
        if (queued.TryAdd(key, 0))
        {
            queue.Writer.TryWrite(key);
        }
    }

    public void Complete() => queue.Writer.TryComplete();

    public async Task RunAsync(Func<string, CancellationToken, Task> reconcile, CancellationToken cancellationToken)
    {
        await foreach (var key in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            queued.TryRemove(key, out _);
            try
            {
                await reconcile(key, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or CofferRequestFailed or JsonException or IOException)
            {
                OperatorLog.ReconcileFailed(logger, key, e);
                _ = RetryLaterAsync(key, cancellationToken);
            }

            Interlocked.Increment(ref reconciles);
        }
    }

    private async Task RetryLaterAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
            Enqueue(key);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
