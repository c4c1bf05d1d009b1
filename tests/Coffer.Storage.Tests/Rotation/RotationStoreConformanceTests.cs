using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;

namespace Coffer.Storage.Tests.Rotation;

/// <summary>The rotation, settings and lease stores' contract; each backend derives one test class from this.</summary>
public abstract class RotationStoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly SecretAddress Address = new("default", "db");

    private StorageBackend storage = null!;

    private ISecretRotationStore Rotations => storage.Rotation.Rotations;

    public async Task InitializeAsync() => storage = await OpenAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        await storage.DisposeAsync().ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
    }

    protected abstract Task<StorageBackend> OpenAsync();

    protected virtual Task CloseAsync() => Task.CompletedTask;

    private static SealedPayload Payload(long version) => new(1, [1, 2, (byte)version], [9, (byte)version]);

    private Task<SecretMetadata> PutAsync(int? maxVersions = null) =>
        storage.Secrets.WriteVersionAsync(new SecretWrite(Address, SecretTypes.Opaque, null, null, false, maxVersions, null, "tester", At), Payload, CancellationToken.None);

    [Fact]
    public async Task Begin_SameTokenTwice_SealsOnceAndReturnsTheSameRotation()
    {
        await PutAsync();
        var seals = 0;
        var first = await Rotations.BeginAsync(Address, "t1", 1, v => { seals++; return Payload(v); }, At, CancellationToken.None);
        var again = await Rotations.BeginAsync(Address, "t1", 1, v => { seals++; return Payload(v); }, At, CancellationToken.None);

        Assert.Equal(1, seals);
        Assert.Equal(2, first.PendingVersion);
        Assert.Equal(first.Pending!.Ciphertext, again.Pending!.Ciphertext);
    }

    [Fact]
    public async Task Begin_OtherTokenWhileInProgress_IsConflict()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        var error = await Assert.ThrowsAsync<CofferException>(() => Rotations.BeginAsync(Address, "t2", 1, Payload, At, CancellationToken.None));
        Assert.Equal("RotationInProgress", error.Reason);
    }

    [Fact]
    public async Task Promote_AfterTest_MovesCurrentAndPreviousTogether()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        await Rotations.RecordStepAsync(Address, "t1", RotationStep.Set, null, At, CancellationToken.None);
        await Rotations.RecordStepAsync(Address, "t1", RotationStep.Test, null, At, CancellationToken.None);
        var finished = await Rotations.PromoteAsync(Address, "t1", "rotator", At.AddDays(1), At, CancellationToken.None);
        var again = await Rotations.PromoteAsync(Address, "t1", "rotator", At.AddDays(1), At, CancellationToken.None);

        var current = await storage.Secrets.GetVersionAsync(Address, null, CancellationToken.None);
        Assert.Equal(RotationStatus.Finished, finished.Status);
        Assert.Equal(2, current!.Version!.Version);
        Assert.Equal(Payload(2).Ciphertext, current.Payload!.Ciphertext);
        Assert.Equal(1, finished.PreviousVersion);
        Assert.Null(finished.Pending);
        Assert.Equal(finished, again);
        Assert.Equal(2, (await storage.Secrets.GetHistoryAsync(Address, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Promote_KeepsThePreviousVersionEvenWithOneVersionKept()
    {
        await PutAsync(maxVersions: 1);
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        await Rotations.RecordStepAsync(Address, "t1", RotationStep.Test, null, At, CancellationToken.None);
        await Rotations.PromoteAsync(Address, "t1", "rotator", null, At, CancellationToken.None);

        Assert.NotNull((await storage.Secrets.GetVersionAsync(Address, 1, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task Promote_FailedOrUntested_LeavesCurrentUnchanged()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        await Assert.ThrowsAsync<CofferException>(() => Rotations.PromoteAsync(Address, "t1", "rotator", null, At, CancellationToken.None));
        var failed = await Rotations.RecordStepAsync(Address, "t1", RotationStep.Test, "login refused", At, CancellationToken.None);
        var error = await Assert.ThrowsAsync<CofferException>(() => Rotations.PromoteAsync(Address, "t1", "rotator", null, At, CancellationToken.None));

        Assert.Equal("RotationNotTested", error.Reason);
        Assert.Equal(RotationStatus.Failed, failed.Status);
        Assert.Equal("login refused", failed.Error);
        Assert.Equal(1, (await storage.Secrets.GetMetadataAsync(Address, CancellationToken.None))!.CurrentVersion);
    }

    [Fact]
    public async Task Promote_SecretWrittenMeanwhile_MarksTheRotationFailed()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        await Rotations.RecordStepAsync(Address, "t1", RotationStep.Test, null, At, CancellationToken.None);
        await PutAsync();
        var state = await Rotations.PromoteAsync(Address, "t1", "rotator", null, At, CancellationToken.None);

        Assert.Equal(RotationStatus.Failed, state.Status);
        Assert.Equal(2, (await storage.Secrets.GetMetadataAsync(Address, CancellationToken.None))!.CurrentVersion);
    }

    [Fact]
    public async Task Steps_WrongToken_AreRefused()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        var error = await Assert.ThrowsAsync<CofferException>(() => Rotations.RecordStepAsync(Address, "other", RotationStep.Set, null, At, CancellationToken.None));
        Assert.Equal("RotationTokenMismatch", error.Reason);
    }

    [Fact]
    public async Task RevocationsDue_ListedUntilCleared()
    {
        await PutAsync();
        await Rotations.BeginAsync(Address, "t1", 1, Payload, At, CancellationToken.None);
        await Rotations.RecordStepAsync(Address, "t1", RotationStep.Test, null, At, CancellationToken.None);
        await Rotations.PromoteAsync(Address, "t1", "rotator", At.AddHours(1), At, CancellationToken.None);

        Assert.Empty(await Rotations.ListRevocationsDueAsync(At, CancellationToken.None));
        Assert.Single(await Rotations.ListRevocationsDueAsync(At.AddHours(1), CancellationToken.None));
        await Rotations.ClearPreviousRevocationAsync(Address, "t1", CancellationToken.None);
        Assert.Empty(await Rotations.ListRevocationsDueAsync(At.AddHours(2), CancellationToken.None));
    }

    [Fact]
    public async Task Objects_PutGetListDelete()
    {
        var objects = storage.Rotation.Objects;
        Assert.True(await objects.PutAsync("DatabaseRole", "default", "ro", "{\"a\":1}", At, CancellationToken.None));
        Assert.False(await objects.PutAsync("DatabaseRole", "default", "ro", "{\"a\":2}", At, CancellationToken.None));
        await objects.PutAsync("DatabaseRole", "other", "rw", "{}", At, CancellationToken.None);

        Assert.Equal("{\"a\":2}", await objects.GetAsync("DatabaseRole", "default", "ro", CancellationToken.None));
        Assert.Single(await objects.ListAsync("DatabaseRole", "default", CancellationToken.None));
        Assert.Equal(2, (await objects.ListAsync("DatabaseRole", null, CancellationToken.None)).Count);
        Assert.True(await objects.DeleteAsync("DatabaseRole", "default", "ro", CancellationToken.None));
        Assert.Null(await objects.GetAsync("DatabaseRole", "default", "ro", CancellationToken.None));
    }

    [Fact]
    public async Task Leases_RenewRevokeAndExpiry()
    {
        var leases = storage.Rotation.Leases;
        await leases.CreateAsync(new LeaseRow("creds/default/ro/a", "default", At, At.AddMinutes(5), null, "{}"), CancellationToken.None);
        await leases.CreateAsync(new LeaseRow("creds/default/ro/b", "default", At, At.AddMinutes(10), null, "{}"), CancellationToken.None);

        Assert.True(await leases.RenewAsync("creds/default/ro/a", At.AddMinutes(20), CancellationToken.None));
        var expired = await leases.ListExpiredAsync(At.AddMinutes(15), 10, CancellationToken.None);
        Assert.Equal(["creds/default/ro/b"], expired.Select(l => l.Id));
        Assert.True(await leases.MarkRevokedAsync("creds/default/ro/b", At.AddMinutes(15), CancellationToken.None));
        Assert.False(await leases.MarkRevokedAsync("creds/default/ro/b", At.AddMinutes(16), CancellationToken.None));
        Assert.False(await leases.RenewAsync("creds/default/ro/b", At.AddMinutes(30), CancellationToken.None));
        Assert.Single(await leases.ListAsync("default", includeRevoked: false, CancellationToken.None));
        Assert.Equal(2, (await leases.ListAsync(null, includeRevoked: true, CancellationToken.None)).Count);
        Assert.Equal(At.AddMinutes(15), (await leases.GetAsync("creds/default/ro/b", CancellationToken.None))!.RevokedAt);
    }
}
