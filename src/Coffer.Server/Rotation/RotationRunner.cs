using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Server.Seal;
using Coffer.Server.Secrets;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>
/// The four steps (create, set, test, finish). Each checks the request token against the stored rotation and skips work
/// already recorded as done, so a retry with the same token does nothing twice. A failed step is recorded with its reason
/// and leaves <c>current</c> as it was.
/// </summary>
internal sealed class RotationRunner(
    SecretOperations secrets,
    ISecretRotationStore rotations,
    RotationSettings settings,
    SealState seal,
    RotatorCatalog rotators,
    TimeProvider time,
    Watch.SecretChangeSignal changed,
    ILogger<RotationRunner> logger)
{
    public const int MaxTokenLength = 128;

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static void CheckToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw CofferException.Invalid("InvalidToken", $"token must be 1 to {MaxTokenLength} letters, digits, '-', '_' or '.'", "token");
        }
    }

    public async Task<RotationState> CreateAsync(SecretAddress address, string token, CancellationToken cancellationToken)
    {
        CheckToken(token);
        var policy = await PolicyAsync(address, cancellationToken).ConfigureAwait(false);
        if (await rotations.GetAsync(address, cancellationToken).ConfigureAwait(false) is { } existing && existing.Token == token)
        {
            return existing;
        }

        var (stored, current) = await secrets.GetAsync(address, null, cancellationToken).ConfigureAwait(false);
        var version = stored.Version!.Version;
        var context = Context(address, policy, token, version + 1);
        var pending = await rotators.For(policy).CreatePendingAsync(context, current, cancellationToken).ConfigureAwait(false);
        var plaintext = pending.Encode();
        try
        {
            var state = await rotations.BeginAsync(address, token, version, v => EnvelopeCipher.Seal(seal.Ring, address, v, plaintext), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            RotationLog.StepDone(logger, address.Namespace, address.Name, "create", token);
            return state;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async Task<RotationState> SetAsync(SecretAddress address, string token, CancellationToken cancellationToken)
    {
        var (state, policy) = await MatchingAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (Done(state, RotationStep.Set))
        {
            return state;
        }

        var (_, current) = await secrets.GetAsync(address, state.BaseVersion, cancellationToken).ConfigureAwait(false);
        var pending = await OpenPendingAsync(state, cancellationToken).ConfigureAwait(false);
        return await RunStepAsync(
            state,
            RotationStep.Set,
            () => rotators.For(policy).SetAsync(Context(address, policy, token, state.PendingVersion), current, pending, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationState> TestAsync(SecretAddress address, string token, CancellationToken cancellationToken)
    {
        var (state, policy) = await MatchingAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (Done(state, RotationStep.Test))
        {
            return state;
        }

        if (state.LastStep < RotationStep.Set)
        {
            throw CofferException.Conflict("RotationStepOrder", "run the set step before the test step");
        }

        var pending = await OpenPendingAsync(state, cancellationToken).ConfigureAwait(false);
        return await RunStepAsync(
            state,
            RotationStep.Test,
            () => rotators.For(policy).TestAsync(Context(address, policy, token, state.PendingVersion), pending, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationState> FinishAsync(SecretAddress address, string token, string actor, CancellationToken cancellationToken)
    {
        var (state, policy) = await MatchingAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (state.Status == RotationStatus.Finished)
        {
            return state;
        }

        var now = time.GetUtcNow();
        // Without a known rollout (the operator's), the previous credential is revoked after the policy's grace period.
        DateTimeOffset? revokeAt = rotators.For(policy).RevokesPrevious ? now + RotationSettings.RevokePreviousAfterOf(policy) : null;
        var finished = await rotations.PromoteAsync(address, token, actor, revokeAt, now, cancellationToken).ConfigureAwait(false);
        if (finished.Status == RotationStatus.Failed)
        {
            RotationLog.StepFailed(logger, address.Namespace, address.Name, "finish", finished.Error!);
            throw RotationFailure.Step(finished.Error!);
        }

        RotationLog.Promoted(logger, address.Namespace, address.Name, finished.PendingVersion);
        changed.Notify();
        return finished;
    }

    /// <summary>All four steps under one token; a step that fails stops the run and is reported as a conflict.</summary>
    public async Task<RotationState> RotateAsync(SecretAddress address, string token, string actor, CancellationToken cancellationToken)
    {
        var state = await CreateAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (state.Status == RotationStatus.Finished)
        {
            return state;
        }

        state = await SetAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (FailedAt(state, RotationStep.Set))
        {
            throw RotationFailure.Step(state.Error!);
        }

        state = await TestAsync(address, token, cancellationToken).ConfigureAwait(false);
        if (FailedAt(state, RotationStep.Test))
        {
            throw RotationFailure.Step(state.Error!);
        }

        return await FinishAsync(address, token, actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The operator's word on the rollout of <paramref name="version"/>: started holds the previous credential until the
    /// rollout completes (at most <see cref="RotationSettings.RolloutHold"/>); complete revokes it now.
    /// </summary>
    public async Task<RolloutAnswer> RolloutAsync(SecretAddress address, long version, bool complete, CancellationToken cancellationToken)
    {
        var state = await rotations.GetAsync(address, cancellationToken).ConfigureAwait(false);
        if (state is not { Status: RotationStatus.Finished, RevokePreviousAt: { } due } || state.PendingVersion != version)
        {
            return new RolloutAnswer("none", null);
        }

        if (complete)
        {
            await RevokePreviousAsync(state, cancellationToken).ConfigureAwait(false);
            return new RolloutAnswer("revoked", null);
        }

        var hold = time.GetUtcNow() + RotationSettings.RolloutHold;
        var revokeAt = hold > due ? hold : due;
        await rotations.SetPreviousRevocationAsync(address, state.Token, revokeAt, cancellationToken).ConfigureAwait(false);
        RotationLog.RevocationHeld(logger, address.Namespace, address.Name, version);
        return new RolloutAnswer("held", revokeAt);
    }

    /// <summary>Revokes the previous credential of a finished rotation on the target system.</summary>
    public async Task RevokePreviousAsync(RotationState state, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(state.Address, cancellationToken).ConfigureAwait(false);
        if (state.PreviousVersion is { } previousVersion)
        {
            var (_, previous) = await secrets.GetAsync(state.Address, previousVersion, cancellationToken).ConfigureAwait(false);
            await rotators.For(policy).RevokePreviousAsync(Context(state.Address, policy, state.Token, state.PendingVersion), previous, cancellationToken).ConfigureAwait(false);
        }

        await rotations.ClearPreviousRevocationAsync(state.Address, state.Token, cancellationToken).ConfigureAwait(false);
        RotationLog.PreviousRevoked(logger, state.Address.Namespace, state.Address.Name);
    }

    /// <summary>The pending value, decrypted; NotFound when no rotation is pending.</summary>
    public async Task<(RotationState State, SecretData Data)> ReadPendingAsync(SecretAddress address, CancellationToken cancellationToken)
    {
        var state = await rotations.GetAsync(address, cancellationToken).ConfigureAwait(false);
        if (state?.Pending is null)
        {
            throw CofferException.NotFound("NoPendingVersion", $"secret {address} has no pending version");
        }

        return (state, await OpenPendingAsync(state, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether <paramref name="step"/> itself has not succeeded on a failed rotation (a later step's failure does not count).</summary>
    public static bool FailedAt(RotationState state, RotationStep step) =>
        state.Status == RotationStatus.Failed && state.LastStep < step;

    /// <summary>The last step advances only on success, so a step at or before it is done even if a later one failed.</summary>
    private static bool Done(RotationState state, RotationStep step) =>
        state.Status == RotationStatus.Finished || state.LastStep >= step;

    private async Task<RotationState> RunStepAsync(RotationState state, RotationStep step, Func<Task> work, CancellationToken cancellationToken)
    {
        var address = state.Address;
        string? error = null;
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (CofferException e) when (e.Reason == "RotationStepFailed")
        {
            error = e.Message;
        }

        var recorded = await rotations.RecordStepAsync(address, state.Token, step, error, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (error is null)
        {
            RotationLog.StepDone(logger, address.Namespace, address.Name, step.ToString().ToLowerInvariant(), state.Token);
        }
        else
        {
            RotationLog.StepFailed(logger, address.Namespace, address.Name, step.ToString().ToLowerInvariant(), error);
        }

        return recorded;
    }

    private async Task<(RotationState State, RotationPolicyDocument Policy)> MatchingAsync(SecretAddress address, string token, CancellationToken cancellationToken)
    {
        CheckToken(token);
        var policy = await PolicyAsync(address, cancellationToken).ConfigureAwait(false);
        var state = await rotations.GetAsync(address, cancellationToken).ConfigureAwait(false)
            ?? throw CofferException.NotFound("RotationNotFound", $"secret {address} has no rotation; run the create step first");
        return state.Token == token
            ? (state, policy)
            : throw CofferException.Conflict("RotationTokenMismatch", $"the rotation of {address} was started under another request token");
    }

    private async Task<RotationPolicyDocument> PolicyAsync(SecretAddress address, CancellationToken cancellationToken) =>
        await settings.GetSecretPolicyAsync(address, cancellationToken).ConfigureAwait(false)
            ?? throw CofferException.NotFound("RotationPolicyNotFound", $"secret {address} has no rotation policy");

    private async Task<SecretData> OpenPendingAsync(RotationState state, CancellationToken cancellationToken)
    {
        var payload = state.Pending ?? throw CofferException.Conflict("NoPendingVersion", $"secret {state.Address} has no pending version");
        var ring = seal.Ring;
        if (ring.Find(payload.KeyId) is null)
        {
            ring = await seal.RefreshRingAsync(cancellationToken).ConfigureAwait(false);
        }

        var plaintext = EnvelopeCipher.Open(ring, state.Address, state.PendingVersion, payload);
        try
        {
            return SecretData.Decode(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private RotationContext Context(SecretAddress address, RotationPolicyDocument policy, string token, long version) =>
        new(address, policy, token, version, async (name, ct) => (await secrets.GetAsync(new SecretAddress(address.Namespace, name), null, ct).ConfigureAwait(false)).Data);
}
