using Coffer.Core.Secrets;

namespace Coffer.Core.Rotation;

/// <summary>A secret's latest rotation, as stored.</summary>
/// <param name="BaseVersion">The current version when the rotation began; the pending version becomes <c>BaseVersion + 1</c>.</param>
/// <param name="LastStep">The last step that succeeded.</param>
/// <param name="Pending">The sealed pending value, bound to version <c>BaseVersion + 1</c>; null once finished.</param>
/// <param name="PreviousVersion">The version labelled <c>previous</c> by the last promotion.</param>
/// <param name="RevokePreviousAt">When the previous credential is to be revoked; null when there is nothing to revoke or it was done.</param>
public sealed record RotationState(
    SecretAddress Address,
    string Token,
    long BaseVersion,
    RotationStep LastStep,
    RotationStatus Status,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    SealedPayload? Pending,
    long? PreviousVersion,
    DateTimeOffset? RevokePreviousAt)
{
    public long PendingVersion => BaseVersion + 1;
}
