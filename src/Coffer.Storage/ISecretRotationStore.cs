using Coffer.Core.Rotation;
using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>
/// Each secret's latest rotation and its sealed pending value. Every method is one transaction that locks the secret's
/// row, so the stage labels move together and a step retried with the same token finds its own work done.
/// </summary>
public interface ISecretRotationStore
{
    Task<RotationState?> GetAsync(SecretAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a rotation from <paramref name="baseVersion"/>, or returns the one <paramref name="token"/> already started
    /// (without calling <paramref name="seal"/>). Conflict <c>RotationInProgress</c> for another token's unfinished rotation.
    /// </summary>
    Task<RotationState> BeginAsync(SecretAddress address, string token, long baseVersion, Func<long, SealedPayload> seal, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a step's outcome; a null <paramref name="error"/> means it succeeded. A finished rotation is returned unchanged.</summary>
    Task<RotationState> RecordStepAsync(SecretAddress address, string token, RotationStep step, string? error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically stores the pending value as the new current version, labels the old one previous and clears pending.
    /// Returns the finished state; if the secret changed since the rotation began, the rotation is marked failed instead.
    /// </summary>
    Task<RotationState> PromoteAsync(SecretAddress address, string token, string actor, DateTimeOffset? revokePreviousAt, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Moves the revocation due date of a finished rotation that still awaits it; false when none does.</summary>
    Task<bool> SetPreviousRevocationAsync(SecretAddress address, string token, DateTimeOffset revokeAt, CancellationToken cancellationToken);

    /// <summary>Clears the revocation due date once the previous credential is revoked.</summary>
    Task ClearPreviousRevocationAsync(SecretAddress address, string token, CancellationToken cancellationToken);

    /// <summary>Every rotation in a namespace, without pending values.</summary>
    Task<IReadOnlyList<RotationState>> ListAsync(string @namespace, CancellationToken cancellationToken);

    /// <summary>Finished rotations whose previous credential is due for revocation.</summary>
    Task<IReadOnlyList<RotationState>> ListRevocationsDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
