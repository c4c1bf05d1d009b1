namespace Coffer.Benchmarks;

/// <summary>One kind of operation the run loads, under a short name used in the table.</summary>
internal sealed record BenchmarkPhase(string Name, string Description, Func<CancellationToken, Task> Operation);
