using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Core.Tokens;

namespace Coffer.Storage.Tests;

/// <summary>The contract every storage backend must meet; each backend derives one test class from this.</summary>
public abstract class StorageConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    protected StorageBackend Storage { get; set; } = null!;

    private ISecretStore Secrets => Storage.Secrets;

    public async Task InitializeAsync() => Storage = await OpenAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        await Storage.DisposeAsync().ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
    }

    protected abstract Task<StorageBackend> OpenAsync();

    /// <summary>Removes what <see cref="OpenAsync"/> created, after the backend is disposed.</summary>
    protected virtual Task CloseAsync() => Task.CompletedTask;

    protected static SecretWrite Write(SecretAddress address, long? expected = null, int? maxVersions = null, IReadOnlyDictionary<string, string>? labels = null) =>
        new(address, SecretTypes.Opaque, labels, null, false, maxVersions, expected, "tester", At);

    protected static SealedPayload Payload(long version) => new(1, [1, 2, (byte)version], [9, (byte)version]);

    protected Task<SecretMetadata> PutAsync(SecretAddress address, long? expected = null, int? maxVersions = null, IReadOnlyDictionary<string, string>? labels = null) =>
        Secrets.WriteVersionAsync(Write(address, expected, maxVersions, labels), Payload, CancellationToken.None);

    private static SecretChange Change(SecretAddress address, SecretChangeKind kind, params long[] versions) =>
        new(address, kind, versions, null, null, null, "tester", At);

    [Fact]
    public async Task WriteVersion_ThenGet_ReturnsPayloadBoundToVersion()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        var second = await PutAsync(address);

        var current = await Secrets.GetVersionAsync(address, null, CancellationToken.None);
        var first = await Secrets.GetVersionAsync(address, 1, CancellationToken.None);

        Assert.Equal(2, second.CurrentVersion);
        Assert.Equal(2, current!.Version!.Version);
        Assert.Equal(Payload(2).Ciphertext, current.Payload!.Ciphertext);
        Assert.Equal(Payload(1).WrappedKey, first!.Payload!.WrappedKey);
        Assert.Equal("tester", first.Version!.CreatedBy);
    }

    [Fact]
    public async Task GetVersion_Missing_ReturnsNullOrNoVersion()
    {
        var address = new SecretAddress("default", "db");
        Assert.Null(await Secrets.GetVersionAsync(address, null, CancellationToken.None));
        await PutAsync(address);
        Assert.Null((await Secrets.GetVersionAsync(address, 7, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task WriteVersion_StaleExpectedVersion_ConflictsAndChangesNothing()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await PutAsync(address, expected: 1);

        var error = await Assert.ThrowsAsync<CofferException>(() => PutAsync(address, expected: 1));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal(2, (await Secrets.GetMetadataAsync(address, CancellationToken.None))!.CurrentVersion);
        Assert.Equal(2, (await Secrets.GetHistoryAsync(address, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task WriteVersion_ConcurrentCheckAndSet_ExactlyOneWins()
    {
        var address = new SecretAddress("default", "cas");
        await PutAsync(address);
        var attempts = Enumerable.Range(0, 16).Select(async _ =>
        {
            try
            {
                await PutAsync(address, expected: 1).ConfigureAwait(false);
                return true;
            }
            catch (CofferException e) when (e.Kind == ErrorKind.Conflict)
            {
                return false;
            }
        });
        var outcomes = await Task.WhenAll(attempts);
        Assert.Single(outcomes, won => won);
        Assert.Equal(2, (await Secrets.GetMetadataAsync(address, CancellationToken.None))!.CurrentVersion);
    }

    [Fact]
    public async Task WriteVersion_SealThrows_NothingStored()
    {
        var address = new SecretAddress("default", "db");
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Secrets.WriteVersionAsync(Write(address), _ => throw new InvalidOperationException("sealed"), CancellationToken.None));
        Assert.Null(await Secrets.GetMetadataAsync(address, CancellationToken.None));
    }

    [Fact]
    public async Task WriteVersion_BeyondMaxVersions_PrunesOldest()
    {
        var address = new SecretAddress("default", "db");
        for (var i = 0; i < 5; i++)
        {
            await PutAsync(address, maxVersions: 3);
        }

        var history = await Secrets.GetHistoryAsync(address, CancellationToken.None);
        Assert.Equal([3L, 4L, 5L], history.Select(v => v.Version));
    }

    [Fact]
    public async Task ChangeMetadata_PatchesLabels_WithoutNewVersion()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address, labels: new Dictionary<string, string> { ["app"] = "web", ["old"] = "x" });

        var patched = await Secrets.ChangeAsync(
            new SecretChange(address, SecretChangeKind.Metadata, [], new Dictionary<string, string?> { ["old"] = null, ["team"] = "a" }, new Dictionary<string, string?> { ["note"] = "hi" }, null, "tester", At),
            CancellationToken.None);

        var reloaded = await Secrets.GetMetadataAsync(address, CancellationToken.None);
        Assert.Equal(1, patched.CurrentVersion);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["team"] = "a" }, reloaded!.Labels);
        Assert.Equal("hi", reloaded.Annotations["note"]);
    }

    [Fact]
    public async Task ChangeMetadata_InvalidLabel_RejectedAndUnchanged()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address, labels: new Dictionary<string, string> { ["app"] = "web" });
        await Assert.ThrowsAsync<CofferException>(() => Secrets.ChangeAsync(
            new SecretChange(address, SecretChangeKind.Metadata, [], new Dictionary<string, string?> { ["bad key"] = "x" }, null, null, "tester", At),
            CancellationToken.None));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web" }, (await Secrets.GetMetadataAsync(address, CancellationToken.None))!.Labels);
    }

    [Fact]
    public async Task DeleteAndUndelete_Versions_ToggleDeletedAt()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await PutAsync(address);

        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Delete, 1), CancellationToken.None);
        var afterDelete = await Secrets.GetHistoryAsync(address, CancellationToken.None);
        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Undelete, 1), CancellationToken.None);
        var afterUndelete = await Secrets.GetHistoryAsync(address, CancellationToken.None);

        Assert.NotNull(afterDelete[0].DeletedAt);
        Assert.Null(afterDelete[1].DeletedAt);
        Assert.Null(afterUndelete[0].DeletedAt);
    }

    [Fact]
    public async Task DeleteWholeSecret_HiddenFromListUnlessAsked_ThenUndeleted()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Delete), CancellationToken.None);

        var hidden = await Secrets.ListAsync("default", new SecretListQuery(null, 10, false, null), CancellationToken.None);
        var shown = await Secrets.ListAsync("default", new SecretListQuery(null, 10, true, null), CancellationToken.None);
        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Undelete), CancellationToken.None);

        Assert.Empty(hidden.Items);
        Assert.Single(shown.Items);
        Assert.Null((await Secrets.GetMetadataAsync(address, CancellationToken.None))!.DeletedAt);
    }

    [Fact]
    public async Task Destroy_Version_RemovesDataKeepsRecord_CannotUndelete()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await PutAsync(address);

        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Destroy, 1), CancellationToken.None);

        var destroyed = await Secrets.GetVersionAsync(address, 1, CancellationToken.None);
        Assert.Null(destroyed!.Payload);
        Assert.NotNull(destroyed.Version!.DestroyedAt);
        Assert.NotNull((await Secrets.GetVersionAsync(address, 2, CancellationToken.None))!.Payload);
        var error = await Assert.ThrowsAsync<CofferException>(() => Secrets.ChangeAsync(Change(address, SecretChangeKind.Undelete, 1), CancellationToken.None));
        Assert.Equal("VersionDestroyed", error.Reason);
    }

    [Fact]
    public async Task Destroy_WholeSecret_DestroysEveryVersionAndDeletes()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await PutAsync(address);

        var metadata = await Secrets.ChangeAsync(Change(address, SecretChangeKind.Destroy), CancellationToken.None);

        Assert.True(metadata.IsDeleted);
        Assert.All(await Secrets.GetHistoryAsync(address, CancellationToken.None), v => Assert.NotNull(v.DestroyedAt));
        Assert.Equal(0, (await Storage.Rewrap.CountByKeyAsync(CancellationToken.None)).Values.Sum());
    }

    [Fact]
    public async Task Change_UnknownVersionOrSecret_NotFoundAndUnchanged()
    {
        var address = new SecretAddress("default", "db");
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CofferException>(() => Secrets.ChangeAsync(Change(address, SecretChangeKind.Delete), CancellationToken.None))).Kind);
        await PutAsync(address);
        var error = await Assert.ThrowsAsync<CofferException>(() => Secrets.ChangeAsync(Change(address, SecretChangeKind.Delete, 1, 9), CancellationToken.None));
        Assert.Equal("VersionNotFound", error.Reason);
        Assert.Null((await Secrets.GetHistoryAsync(address, CancellationToken.None))[0].DeletedAt);
    }

    [Fact]
    public async Task List_PagesInNameOrder_AndStaysInNamespace()
    {
        await Storage.Namespaces.CreateAsync("team-a", At, CancellationToken.None);
        await Storage.Namespaces.CreateAsync("team-b", At, CancellationToken.None);
        for (var i = 0; i < 7; i++)
        {
            await PutAsync(new SecretAddress("team-a", $"s{i}"));
        }

        await PutAsync(new SecretAddress("team-b", "other"));

        var names = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Secrets.ListAsync("team-a", new SecretListQuery(after, 3, false, null), CancellationToken.None);
            names.AddRange(page.Items.Select(m => m.Address.Name));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"s{i}"), names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task List_WithFilter_FillsPageFromMatchesOnly()
    {
        for (var i = 0; i < 6; i++)
        {
            await PutAsync(new SecretAddress("default", $"s{i}"), labels: new Dictionary<string, string> { ["even"] = (i % 2 == 0).ToString() });
        }

        var page = await Secrets.ListAsync("default", new SecretListQuery(null, 2, false, m => m.Labels["even"] == "True"), CancellationToken.None);
        var rest = await Secrets.ListAsync("default", new SecretListQuery(page.Next, 2, false, m => m.Labels["even"] == "True"), CancellationToken.None);

        Assert.Equal(["s0", "s2"], page.Items.Select(m => m.Address.Name));
        Assert.Equal(["s4"], rest.Items.Select(m => m.Address.Name));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task Initialize_Twice_Conflicts()
    {
        var token = new TokenRecord([1, 2, 3], "acc1", "root", true, At, null, null);
        await Storage.Installation.InitializeAsync(new InstallationRecord(5, 3, At), new StoredKeyRing(1, [7], At), token, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CofferException>(() => Storage.Installation.InitializeAsync(
            new InstallationRecord(1, 1, At), new StoredKeyRing(1, [8], At), token with { Hash = [4], Accessor = "acc2" }, CancellationToken.None));

        Assert.Equal("AlreadyInitialized", error.Reason);
        Assert.Equal(new InstallationRecord(5, 3, At), await Storage.Installation.GetAsync(CancellationToken.None));
        Assert.Equal([7], (await Storage.Installation.GetKeyRingAsync(CancellationToken.None)).Blob);
    }

    [Fact]
    public async Task AppendKeyRing_IsAppendOnly()
    {
        await Storage.Installation.InitializeAsync(new InstallationRecord(1, 1, At), new StoredKeyRing(1, [1], At), new TokenRecord([1], "a", "root", true, At, null, null), CancellationToken.None);
        await Storage.Installation.AppendKeyRingAsync(new StoredKeyRing(2, [2], At), CancellationToken.None);

        await Assert.ThrowsAsync<CofferException>(() => Storage.Installation.AppendKeyRingAsync(new StoredKeyRing(2, [9], At), CancellationToken.None));
        await Assert.ThrowsAsync<CofferException>(() => Storage.Installation.AppendKeyRingAsync(new StoredKeyRing(4, [9], At), CancellationToken.None));

        Assert.Equal(2, (await Storage.Installation.GetKeyRingAsync(CancellationToken.None)).Generation);
    }

    [Fact]
    public async Task Tokens_FoundByHashOnly()
    {
        var token = new TokenRecord([1, 2, 3], "acc", "ci", false, At, At.AddHours(1), "root-acc");
        await Storage.Tokens.AddAsync(token, CancellationToken.None);

        var found = await Storage.Tokens.FindAsync([1, 2, 3], CancellationToken.None);

        Assert.Equal(token.Accessor, found!.Accessor);
        Assert.Equal(token.ExpiresAt, found.ExpiresAt);
        Assert.Null(await Storage.Tokens.FindAsync([1, 2, 4], CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceWrappedKeys_OnlyWhereUnchanged()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        await PutAsync(address);
        var rows = await Storage.Rewrap.FindNotWrappedWithAsync(2, 10, CancellationToken.None);
        var stale = rows[0] with { WrappedKey = [0] };

        var changed = await Storage.Rewrap.ReplaceWrappedKeysAsync(
            [new WrappedKeyReplacement(rows[1], 2, [5, 5]), new WrappedKeyReplacement(stale, 2, [6, 6])],
            CancellationToken.None);

        Assert.Equal(2, rows.Count);
        Assert.Equal(1, changed);
        var counts = await Storage.Rewrap.CountByKeyAsync(CancellationToken.None);
        Assert.Equal(1, counts[1]);
        Assert.Equal(1, counts[2]);
        Assert.Single(await Storage.Rewrap.FindNotWrappedWithAsync(2, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Namespaces_DefaultExists_OthersOnlyOnceCreated()
    {
        Assert.True(await Storage.Namespaces.ExistsAsync("default", CancellationToken.None));
        var missing = await Assert.ThrowsAsync<CofferException>(() => PutAsync(new SecretAddress("shop", "db")));
        Assert.Equal("NamespaceNotFound", missing.Reason);

        await Storage.Namespaces.CreateAsync("shop", At, CancellationToken.None);
        var again = await Assert.ThrowsAsync<CofferException>(() => Storage.Namespaces.CreateAsync("shop", At, CancellationToken.None));
        await PutAsync(new SecretAddress("shop", "db"));

        Assert.Equal("NamespaceExists", again.Reason);
        Assert.Equal(["default", "shop"], (await Storage.Namespaces.ListAsync(CancellationToken.None)).Select(n => n.Name));
    }

    [Fact]
    public async Task DeleteNamespace_NotEmpty_RefusedUnlessForced()
    {
        await Storage.Namespaces.CreateAsync("shop", At, CancellationToken.None);
        await PutAsync(new SecretAddress("shop", "db"));
        await Storage.Access.ApplyAsync(new AccessObjects([new AccessRole("shop", "reader", [])], []), At, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<CofferException>(() => Storage.Namespaces.DeleteAsync("shop", force: false, CancellationToken.None));
        Assert.Equal("NamespaceNotEmpty", refused.Reason);
        Assert.NotNull(await Secrets.GetMetadataAsync(new SecretAddress("shop", "db"), CancellationToken.None));

        Assert.Equal(1, await Storage.Namespaces.DeleteAsync("shop", force: true, CancellationToken.None));
        Assert.False(await Storage.Namespaces.ExistsAsync("shop", CancellationToken.None));
        Assert.Empty((await Storage.Access.LoadAsync(CancellationToken.None)).Roles);
        var gone = await Assert.ThrowsAsync<CofferException>(() => PutAsync(new SecretAddress("shop", "db")));
        Assert.Equal("NamespaceNotFound", gone.Reason);
        var twice = await Assert.ThrowsAsync<CofferException>(() => Storage.Namespaces.DeleteAsync("shop", force: true, CancellationToken.None));
        Assert.Equal("NamespaceNotFound", twice.Reason);
    }

    [Fact]
    public async Task ApplyAccess_CreatesThenConfiguresThenLeavesUnchanged()
    {
        var rule = new PolicyRule([""], ["secrets"], ["get"], ["db"]);
        var role = new AccessRole("default", "reader", [rule]);
        var binding = new AccessBinding(null, "readers", new RoleRef(AccessKinds.ClusterRole, "view"), [new AccessSubject(AccessKinds.Group, "devs", null)]);

        var first = await Storage.Access.ApplyAsync(new AccessObjects([role], [binding]), At, CancellationToken.None);
        var second = await Storage.Access.ApplyAsync(new AccessObjects([role with { Rules = [rule, rule with { Verbs = ["list"] }] }], [binding]), At, CancellationToken.None);
        var loaded = await Storage.Access.LoadAsync(CancellationToken.None);

        Assert.Equal(["created", "created"], first.Select(c => c.Outcome));
        Assert.Equal(["configured", "unchanged"], second.Select(c => c.Outcome));
        Assert.Equal(["get", "list"], loaded.Roles.Single().Rules.SelectMany(r => r.Verbs));
        Assert.Equal(["db"], loaded.Roles.Single().Rules[0].ResourceNames);
        Assert.Equal("devs", loaded.Bindings.Single().Subjects.Single().Name);
        Assert.Null(loaded.Bindings.Single().Namespace);
    }

    [Fact]
    public async Task ApplyAccess_MissingNamespace_AppliesNothing()
    {
        var good = new AccessRole("default", "reader", []);
        var bad = new AccessRole("nowhere", "reader", []);

        var error = await Assert.ThrowsAsync<CofferException>(() => Storage.Access.ApplyAsync(new AccessObjects([good, bad], []), At, CancellationToken.None));

        Assert.Equal("NamespaceNotFound", error.Reason);
        Assert.Empty((await Storage.Access.LoadAsync(CancellationToken.None)).Roles);
    }

    [Fact]
    public async Task DeleteAccess_ReportsDeletedAndNotFound()
    {
        await Storage.Access.ApplyAsync(new AccessObjects([new AccessRole(null, "view", [])], []), At, CancellationToken.None);

        var changes = await Storage.Access.DeleteAsync(
            [new AccessObjectKey(AccessKinds.ClusterRole, null, "view"), new AccessObjectKey(AccessKinds.Role, "default", "view")],
            CancellationToken.None);

        Assert.Equal(["deleted", "not found"], changes.Select(c => c.Outcome));
        Assert.Empty((await Storage.Access.LoadAsync(CancellationToken.None)).Roles);
    }

    [Fact]
    public async Task KnownUsers_RecordedOnce()
    {
        await Storage.Access.RecordUserAsync("system:serviceaccount:default:api", At, CancellationToken.None);
        await Storage.Access.RecordUserAsync("system:serviceaccount:default:api", At.AddHours(1), CancellationToken.None);
        await Storage.Access.RecordUserAsync("alice", At, CancellationToken.None);

        Assert.Equal(["alice", "system:serviceaccount:default:api"], await Storage.Access.KnownUsersAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Tokens_KeepIdentityRolesAndRenewal()
    {
        var token = new TokenRecord([5], "acc5", "api", false, At, At.AddHours(1), null)
        {
            User = "system:serviceaccount:shop:api",
            Groups = ["system:serviceaccounts", "system:serviceaccounts:shop"],
            Roles = [new BoundRole("shop", "reader"), new BoundRole(null, "view")],
            Renewable = true,
            Ttl = TimeSpan.FromHours(1),
            MaxExpiresAt = At.AddDays(1),
        };
        await Storage.Tokens.AddAsync(token, CancellationToken.None);

        Assert.True(await Storage.Tokens.RenewAsync("acc5", At.AddHours(2), CancellationToken.None));
        Assert.False(await Storage.Tokens.RenewAsync("nope", At.AddHours(2), CancellationToken.None));
        var found = await Storage.Tokens.FindByAccessorAsync("acc5", CancellationToken.None);

        Assert.Equal(token.User, found!.User);
        Assert.Equal(token.Groups, found.Groups);
        Assert.Equal(token.Roles, found.Roles);
        Assert.True(found.Renewable);
        Assert.Equal(TimeSpan.FromHours(1), found.Ttl);
        Assert.Equal(At.AddDays(1), found.MaxExpiresAt);
        Assert.Equal(At.AddHours(2), found.ExpiresAt);
    }

    [Fact]
    public async Task RevokeToken_WithDescendants_TakesTheWholeTree()
    {
        await Storage.Tokens.AddAsync(new TokenRecord([1], "parent", "p", false, At, null, null), CancellationToken.None);
        await Storage.Tokens.AddAsync(new TokenRecord([2], "child", "c", false, At, null, "parent"), CancellationToken.None);
        await Storage.Tokens.AddAsync(new TokenRecord([3], "grandchild", "g", false, At, null, "child"), CancellationToken.None);
        await Storage.Tokens.AddAsync(new TokenRecord([4], "other", "o", false, At, null, null), CancellationToken.None);
        await Storage.Tokens.AddAsync(new TokenRecord([5], "orphan", "x", false, At, null, "other"), CancellationToken.None);

        var tree = await Storage.Tokens.RevokeAsync("parent", withDescendants: true, CancellationToken.None);
        var alone = await Storage.Tokens.RevokeAsync("other", withDescendants: false, CancellationToken.None);

        Assert.Equal(["child", "grandchild", "parent"], tree.Order(StringComparer.Ordinal));
        Assert.Equal(["other"], alone);
        Assert.Equal(["orphan"], (await Storage.Tokens.ListAsync(CancellationToken.None)).Select(t => t.Accessor));
        Assert.Empty(await Storage.Tokens.RevokeAsync("parent", withDescendants: true, CancellationToken.None));
    }
    [Fact]
    public async Task ChangeLog_WritesAndLifecycleChanges_RecordedInRevisionOrderPerNamespace()
    {
        await Storage.Namespaces.CreateAsync("other", At, CancellationToken.None);
        var db = new SecretAddress("default", "db");
        var before = await Storage.Changes.LatestRevisionAsync(CancellationToken.None);
        await PutAsync(db);
        await PutAsync(new SecretAddress("other", "elsewhere"));
        await PutAsync(db);
        await Secrets.ChangeAsync(Change(db, SecretChangeKind.Delete), CancellationToken.None);

        var changes = await Storage.Changes.ReadAsync("default", before, 100, CancellationToken.None);
        var later = await Storage.Changes.ReadAsync("default", changes[1].Revision, 100, CancellationToken.None);

        Assert.Equal(
            [("db", 1L, SecretChangeLogSql.Written), ("db", 2L, SecretChangeLogSql.Written), ("db", 2L, SecretChangeLogSql.Deleted)],
            changes.Select(c => (c.Name, c.Version, c.Kind)));
        Assert.True(changes.Zip(changes.Skip(1)).All(p => p.First.Revision < p.Second.Revision));
        Assert.Equal([changes[2].Revision], later.Select(c => c.Revision));
        Assert.Equal(changes[2].Revision, await Storage.Changes.LatestRevisionAsync(CancellationToken.None));
        Assert.Single(await Storage.Changes.ReadAsync("other", before, 100, CancellationToken.None));
    }

    [Fact]
    public async Task ChangeLog_FailedWrite_RecordsNothing()
    {
        var address = new SecretAddress("default", "db");
        await PutAsync(address);
        var before = await Storage.Changes.LatestRevisionAsync(CancellationToken.None);

        await Assert.ThrowsAsync<CofferException>(() => PutAsync(address, expected: 7));

        Assert.Equal(before, await Storage.Changes.LatestRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ChangeLog_Pruned_OlderChangesGo_TheNewestStays_AndPrunedThroughSaysWhere()
    {
        var db = new SecretAddress("default", "db");
        Assert.Equal(0, await Storage.Changes.PrunedThroughAsync(CancellationToken.None));
        await PutAsync(db);
        await PutAsync(db);
        await PutAsync(db);
        var latest = await Storage.Changes.LatestRevisionAsync(CancellationToken.None);

        var none = await Storage.Changes.PruneAsync(At, CancellationToken.None);
        var removed = await Storage.Changes.PruneAsync(At.AddSeconds(1), CancellationToken.None);

        Assert.Equal(0, none);
        Assert.Equal(2, removed);
        Assert.Equal(latest, await Storage.Changes.LatestRevisionAsync(CancellationToken.None));
        Assert.Equal(latest - 1, await Storage.Changes.PrunedThroughAsync(CancellationToken.None));
        Assert.Equal([latest], (await Storage.Changes.ReadAsync("default", 0, 100, CancellationToken.None)).Select(c => c.Revision));

        await PutAsync(db);
        Assert.Equal(1, await Storage.Changes.PruneAsync(At.AddSeconds(1), CancellationToken.None));
        Assert.Equal(latest, await Storage.Changes.PrunedThroughAsync(CancellationToken.None));
        Assert.Equal(latest + 1, await Storage.Changes.LatestRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AuditOutbox_RecordsKeptWithTheirChanges_ReadInOrderPerLog_OnlyWhenTheChangeCommits_ThenPruned()
    {
        var address = new SecretAddress("default", "audited");
        await Secrets.WriteVersionAsync(Write(address) with { Audit = new ChangeAuditRecord("log-a", 7, [1, 2, 3]) }, Payload, CancellationToken.None);
        await Secrets.ChangeAsync(Change(address, SecretChangeKind.Delete, 1) with { Audit = new ChangeAuditRecord("log-a", 9, [4]) }, CancellationToken.None);
        await Secrets.WriteVersionAsync(Write(new SecretAddress("default", "other")) with { Audit = new ChangeAuditRecord("log-b", 8, [5]) }, Payload, CancellationToken.None);
        await Assert.ThrowsAsync<CofferException>(() => Secrets.WriteVersionAsync(Write(address, expected: 5) with { Audit = new ChangeAuditRecord("log-a", 10, [6]) }, Payload, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Secrets.WriteVersionAsync(Write(address) with { Audit = new ChangeAuditRecord("log-a", 11, [7]) }, _ => throw new InvalidOperationException("sealed"), CancellationToken.None));

        var kept = await Storage.AuditOutbox.ReadAsync("log-a", CancellationToken.None);

        Assert.Equal([7L, 9L], kept.Select(r => r.Seq));
        Assert.Equal([1, 2, 3], kept[0].Line);
        Assert.All(kept, r => Assert.Equal("log-a", r.LogId));
        Assert.Equal(1, await Storage.AuditOutbox.PruneAsync("log-a", 8, CancellationToken.None));
        Assert.Equal([9L], (await Storage.AuditOutbox.ReadAsync("log-a", CancellationToken.None)).Select(r => r.Seq));
        Assert.Single(await Storage.AuditOutbox.ReadAsync("log-b", CancellationToken.None));
    }
}
