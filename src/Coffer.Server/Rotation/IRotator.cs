using Coffer.Core.Secrets;

namespace Coffer.Server.Rotation;

/// <summary>
/// The system-specific half of a rotation. Each step must be safe to run again; a failure is a
/// <see cref="Coffer.Core.Errors.CofferException"/> whose message names what failed and holds no value.
/// </summary>
internal interface IRotator
{
    Task<SecretData> CreatePendingAsync(RotationContext context, SecretData current, CancellationToken cancellationToken);

    Task SetAsync(RotationContext context, SecretData current, SecretData pending, CancellationToken cancellationToken);

    Task TestAsync(RotationContext context, SecretData pending, CancellationToken cancellationToken);

    /// <summary>Whether the previous version stays usable on the target until revoked (after the rollout or grace period).</summary>
    bool RevokesPrevious { get; }

    Task RevokePreviousAsync(RotationContext context, SecretData previous, CancellationToken cancellationToken);
}
