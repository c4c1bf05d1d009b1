using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Server.Secrets;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>Reads by stage label: <c>current</c> (what every read returns by default), <c>previous</c> and <c>pending</c>.</summary>
internal sealed class StagedReads(SecretOperations secrets, ISecretRotationStore rotations, RotationRunner runner)
{
    public static RotationStage Parse(string? text, long? version) =>
        version is not null
            ? throw CofferException.Invalid("InvalidField", "give either version or stage, not both", "stage")
            : text switch
            {
                "current" => RotationStage.Current,
                "previous" => RotationStage.Previous,
                "pending" => RotationStage.Pending,
                _ => throw CofferException.Invalid("InvalidField", "stage must be current, previous or pending", "stage"),
            };

    public async Task<(StoredVersion Stored, SecretData Data)> GetAsync(SecretAddress address, RotationStage stage, CancellationToken cancellationToken)
    {
        switch (stage)
        {
            case RotationStage.Pending:
                var metadata = await secrets.GetMetadataAsync(address, cancellationToken).ConfigureAwait(false);
                var (state, data) = await runner.ReadPendingAsync(address, cancellationToken).ConfigureAwait(false);
                return (new StoredVersion(metadata, new SecretVersionInfo(state.PendingVersion, state.StartedAt, "rotation", null, null), null), data);
            case RotationStage.Previous:
                var current = await secrets.GetMetadataAsync(address, cancellationToken).ConfigureAwait(false);
                var rotation = await rotations.GetAsync(address, cancellationToken).ConfigureAwait(false);
                // The label a promotion set holds while that promotion's version is current; after a plain write, previous is the one before.
                var previous = rotation is { Status: RotationStatus.Finished, PreviousVersion: { } labelled } && rotation.PendingVersion == current.CurrentVersion
                    ? labelled
                    : current.CurrentVersion - 1;
                return previous < 1
                    ? throw CofferException.NotFound("VersionNotFound", $"secret {address} has no previous version")
                    : await secrets.GetAsync(address, previous, cancellationToken).ConfigureAwait(false);
            default:
                return await secrets.GetAsync(address, null, cancellationToken).ConfigureAwait(false);
        }
    }
}
