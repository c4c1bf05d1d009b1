using Coffer.Benchmarks;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};

if (args is ["sync-latency", ..])
{
    return await SyncLatency.RunAsync(args, Console.Out, interrupt.Token).ConfigureAwait(false);
}

if (args.Contains("--postgres"))
{
    return await PostgresBenchmark.RunAsync(Console.Out, interrupt.Token).ConfigureAwait(false);
}

if (args.Contains("--scan"))
{
    return await ScanComparison.RunAsync(args, Console.Out, interrupt.Token).ConfigureAwait(false);
}

BenchmarkSettings settings;
var kms = args.Contains("--kms");
try
{
    settings = BenchmarkSettings.Parse([.. args.Where(a => a != "--kms")]);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
    await Console.Error.WriteLineAsync(BenchmarkSettings.Usage).ConfigureAwait(false);
    return 2;
}

if (kms)
{
    return await KmsBenchmark.RunAsync(settings, Console.Out, interrupt.Token).ConfigureAwait(false) ? 0 : 1;
}

var report = await BenchmarkRun.RunAsync(settings, Console.Out, interrupt.Token).ConfigureAwait(false);
return report.AllTargetsMet ? 0 : 1;
