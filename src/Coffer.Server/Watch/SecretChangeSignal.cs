namespace Coffer.Server.Watch;

/// <summary>Wakes this replica's watch streams when it writes a secret; writes on other replicas are found by the streams' own re-read.</summary>
internal sealed class SecretChangeSignal
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>; take it before reading, so no write falls between.</summary>
    public Task Next => Volatile.Read(ref next).Task;

    public void Notify() => Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
