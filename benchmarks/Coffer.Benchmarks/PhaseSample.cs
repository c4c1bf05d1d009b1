namespace Coffer.Benchmarks;

/// <summary>Operations completed inside one timed window.</summary>
internal sealed record PhaseSample(long Operations, TimeSpan Elapsed)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
}
