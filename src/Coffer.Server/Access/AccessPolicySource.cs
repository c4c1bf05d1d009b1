using Coffer.Core.Access;
using Coffer.Storage;

namespace Coffer.Server.Access;

/// <summary>
/// The current roles and bindings as one <see cref="AccessPolicy"/>. Reloaded at once after a change made here, and
/// at most <see cref="MaxAge"/> after one made by another replica.
/// </summary>
internal sealed class AccessPolicySource(IAccessStore store, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim reload = new(1, 1);
    private volatile Loaded? current;

    public async ValueTask<AccessPolicy> CurrentAsync(CancellationToken cancellationToken)
    {
        var loaded = current;
        if (loaded is not null && time.GetUtcNow() - loaded.At < MaxAge)
        {
            return loaded.Policy;
        }

        await reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            loaded = current;
            if (loaded is not null && time.GetUtcNow() - loaded.At < MaxAge)
            {
                return loaded.Policy;
            }

            var at = time.GetUtcNow();
            var objects = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            var policy = new AccessPolicy(objects.Roles, objects.Bindings);
            current = new Loaded(policy, at);
            return policy;
        }
        finally
        {
            reload.Release();
        }
    }

    /// <summary>Called after a change: the next check reads the store again.</summary>
    public void Invalidate() => current = null;

    private sealed record Loaded(AccessPolicy Policy, DateTimeOffset At);
}
