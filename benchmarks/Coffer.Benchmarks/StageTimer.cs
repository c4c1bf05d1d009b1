using System.Diagnostics;
using System.Globalization;

namespace Coffer.Benchmarks;

/// <summary>Times one stage in batches and writes a table row with the best batch's microseconds per call.</summary>
internal static class StageTimer
{
    private const int Batches = 7;

    /// <summary>The best of several batches: on a shared machine the minimum is the least disturbed figure. Batch 0 is warmup.</summary>
    public static async Task TimeAsync(TextWriter output, string stage, int iterations, Func<Task> call)
    {
        var perBatch = Math.Max(1, iterations / Batches);
        var best = double.MaxValue;
        for (var batch = 0; batch <= Batches; batch++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < perBatch; i++)
            {
                await call().ConfigureAwait(false);
            }

            if (batch > 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalMicroseconds / perBatch);
            }
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {best:0.0} |")).ConfigureAwait(false);
    }
}
