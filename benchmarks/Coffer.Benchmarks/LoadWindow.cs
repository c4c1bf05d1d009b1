using System.Diagnostics;

namespace Coffer.Benchmarks;

/// <summary>
/// Runs an operation in a closed loop on a fixed number of workers: a warmup, then a timed window.
/// The workers keep running across the boundary so the window never sees a ramp-up.
/// </summary>
internal static class LoadWindow
{
    public static async Task<PhaseSample> MeasureAsync(int workers, Func<CancellationToken, Task> operation, TimeSpan warmup, TimeSpan window, CancellationToken cancellationToken)
    {
        long completed = 0;
        var stopping = 0;
        var running = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            running[i] = Task.Run(
                async () =>
                {
                    while (Volatile.Read(ref stopping) == 0)
                    {
                        await operation(cancellationToken).ConfigureAwait(false);
                        Interlocked.Increment(ref completed);
                    }
                },
                cancellationToken);
        }

        try
        {
            await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
            var first = Interlocked.Read(ref completed);
            var clock = Stopwatch.StartNew();
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            var last = Interlocked.Read(ref completed);
            var elapsed = clock.Elapsed;
            return new PhaseSample(last - first, elapsed);
        }
        finally
        {
            Volatile.Write(ref stopping, 1);
            // A failed operation surfaces here, so a broken phase never reports a rate.
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }
}
