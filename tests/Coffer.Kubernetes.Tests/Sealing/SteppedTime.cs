namespace Coffer.Kubernetes.Tests.Sealing;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class SteppedTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
