namespace Coffer.Server.Rotation;

/// <param name="Revocation"><c>held</c>: the previous credential waits for the rollout; <c>revoked</c>: it is gone now;
/// <c>none</c>: no finished rotation of that version is waiting to revoke one.</param>
internal sealed record RolloutAnswer(string Revocation, DateTimeOffset? RevokePreviousAt);
