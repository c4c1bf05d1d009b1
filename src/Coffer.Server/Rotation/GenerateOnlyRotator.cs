using Coffer.Core.Secrets;

namespace Coffer.Server.Rotation;

/// <summary>New values for the keys the policy generates, other keys carried over; nothing outside Coffer to change.</summary>
internal sealed class GenerateOnlyRotator(SecretGeneration generation) : IRotator
{
    public bool RevokesPrevious => false;

    public async Task<SecretData> CreatePendingAsync(RotationContext context, SecretData current, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, byte[]>(current.Values, StringComparer.Ordinal);
        foreach (var (key, value) in await generation.GenerateAsync(context.Address.Namespace, context.Policy.Generate ?? [], cancellationToken).ConfigureAwait(false))
        {
            values[key] = value;
        }

        return SecretData.Create(values);
    }

    public Task SetAsync(RotationContext context, SecretData current, SecretData pending, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task TestAsync(RotationContext context, SecretData pending, CancellationToken cancellationToken) =>
        pending.Values.Count > 0 ? Task.CompletedTask : throw RotationFailure.Step("the pending version holds no values");

    public Task RevokePreviousAsync(RotationContext context, SecretData previous, CancellationToken cancellationToken) => Task.CompletedTask;
}
