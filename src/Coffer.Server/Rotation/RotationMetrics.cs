using System.Diagnostics.Metrics;

namespace Coffer.Server.Rotation;

/// <summary>The overdue-secret count, as of the scheduler's last pass; labelled by nothing, so it reveals no names.</summary>
internal sealed class RotationMetrics : IDisposable
{
    public const string MeterName = "Coffer.Rotation";
    public const string OverdueInstrument = "coffer.rotation.overdue_secrets";

    private readonly Meter meter = new(MeterName);
    private long overdue;

    public RotationMetrics() =>
        meter.CreateObservableGauge(OverdueInstrument, () => Interlocked.Read(ref overdue), "{secret}", "Secrets past their rotation due date");

    public long Overdue => Interlocked.Read(ref overdue);

    /// <summary>This server's meter: several servers in one process each have one of the same name.</summary>
    public Meter Meter => meter;

    public void SetOverdue(long count) => Interlocked.Exchange(ref overdue, count);

    public void Dispose() => meter.Dispose();
}
