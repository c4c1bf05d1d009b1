using System.Text.Json.Nodes;
using Coffer.Kubernetes.Tests.FakeApi;

namespace Coffer.Kubernetes.Tests.Operator;

/// <summary>The operator against a real Coffer server and the fake Kubernetes API, through the real KubernetesClient.</summary>
public sealed class CofferSecretControllerTests : IAsyncLifetime
{
    private OperatorWorld world = null!;

    public async Task InitializeAsync() => world = await OperatorWorld.StartAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private static JsonObject Spec(string source, string? target = null, string? creation = null, string? deletion = null, JsonObject? template = null, string? role = null, string? sourceNamespace = null)
    {
        var targetSpec = new JsonObject();
        if (target is not null)
        {
            targetSpec["name"] = target;
        }

        if (creation is not null)
        {
            targetSpec["creationPolicy"] = creation;
        }

        if (deletion is not null)
        {
            targetSpec["deletionPolicy"] = deletion;
        }

        if (template is not null)
        {
            targetSpec["template"] = template;
        }

        var spec = new JsonObject { ["source"] = new JsonObject { ["name"] = source }, ["target"] = targetSpec };
        if (sourceNamespace is not null)
        {
            spec["source"]!["namespace"] = sourceNamespace;
        }

        if (role is not null)
        {
            spec["role"] = role;
        }

        return spec;
    }

    private static string? Ready(JsonObject? status) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]!.GetValue<string>() == "Ready") is { } ready
            ? $"{ready["status"]!.GetValue<string>()}:{ready["reason"]!.GetValue<string>()}"
            : null;

    [Fact]
    public async Task CofferSecret_Created_ProjectsTemplatedSecretAndReportsReady()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["username"] = "app", ["password"] = "s3cr3t-pw" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-a", "db", Spec("db", target: "db-url", template: new JsonObject { ["url"] = "postgres://{{ .username }}:{{ .password }}@db:5432/app" }));

        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-a", "db")) == "True:Synced", "Ready");
        var secret = world.NativeSecret("team-a", "db-url")!;
        var status = world.Status("team-a", "db")!;
        Assert.Equal("postgres://app:s3cr3t-pw@db:5432/app", OperatorWorld.Text(secret, "url"));
        Assert.Equal(["url"], secret["data"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("coffer", secret["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal("CofferSecret", secret["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal(1, status["syncedVersion"]!.GetValue<long>());
        Assert.Equal(secret["metadata"]!["annotations"]!["coffer.dev/data-hash"]!.GetValue<string>(), status["dataHash"]!.GetValue<string>());
        Assert.NotNull(status["lastSyncTime"]);
        Assert.DoesNotContain("s3cr3t", status.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CofferWrite_WithResyncAnHourAway_ReachesTheNativeSecretThroughTheWatchStream()
    {
        await world.WriteCofferAsync("team-a", "api", new Dictionary<string, string> { ["key"] = "one" });
        await world.StartOperatorAsync(resync: TimeSpan.FromHours(1));
        world.AddCofferSecret("team-a", "api", Spec("api"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "api"), "key") == "one", "first sync");

        await world.WriteCofferAsync("team-a", "api", new Dictionary<string, string> { ["key"] = "two" });

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "api"), "key") == "two", "pushed change");
        await OperatorWorld.EventuallyAsync(() => world.Status("team-a", "api")?["syncedVersion"]?.GetValue<long>() == 2, "status version 2");
    }

    [Fact]
    public async Task CofferWrite_AnnouncedWhileAnOlderReadIsUnderWay_TheNewerValueReachesTheNativeSecret()
    {
        await world.WriteCofferAsync("team-a", "api", new Dictionary<string, string> { ["key"] = "one" });
        var controller = await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "api", Spec("api"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "api"), "key") == "one", "first sync");

        // The read of "two" is held after Coffer answered, until the change to "three" has been announced.
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        world.AfterCofferResponse = async path =>
        {
            if (path == "/v1/namespaces/team-a/secrets/api" && held.TrySetResult())
            {
                await release.Task;
            }
        };
        await world.WriteCofferAsync("team-a", "api", new Dictionary<string, string> { ["key"] = "two" });
        await held.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var announced = controller.Invalidations;
        await world.WriteCofferAsync("team-a", "api", new Dictionary<string, string> { ["key"] = "three" });
        await OperatorWorld.EventuallyAsync(() => controller.Invalidations > announced, "the change to three announced");
        release.SetResult();

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "api"), "key") == "three", "the newer value synced", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ManagedSecret_EditedOrDeleted_IsRestoredWithAnEvent()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "right" });
        await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == "right", "first sync");

        var edited = world.NativeSecret("team-a", "db")!;
        edited["data"]!["password"] = Convert.ToBase64String("wrong"u8.ToArray());
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", edited);
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == "right", "edit restored");

        world.Api.Delete(FakeKubernetesApi.Core, "secrets", "team-a", "db");
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == "right", "deletion restored");

        await OperatorWorld.EventuallyAsync(
            () => world.Api.List(FakeKubernetesApi.Core, "events", "team-a").Count(e => e["reason"]!.GetValue<string>() == "DriftRestored") == 2,
            "two DriftRestored events");
        var recorded = world.Api.List(FakeKubernetesApi.Core, "events", "team-a").First(e => e["reason"]!.GetValue<string>() == "DriftRestored");
        Assert.Equal("db", recorded["involvedObject"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain("right", recorded.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletion_DeletePolicy_RemovesTarget_RetainPolicy_KeepsItUnmanaged()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "pw" });
        await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "gone", Spec("db", target: "gone"));
        world.AddCofferSecret("team-a", "kept", Spec("db", target: "kept", deletion: "Retain", creation: "Orphan"));
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "gone") is not null && world.NativeSecret("team-a", "kept") is not null, "both synced");

        world.Api.Delete(FakeKubernetesApi.CofferGroup, "coffersecrets", "team-a", "gone");
        world.Api.Delete(FakeKubernetesApi.CofferGroup, "coffersecrets", "team-a", "kept");

        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "gone") is null, "Delete policy removed the Secret");
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "kept")?["metadata"]?["annotations"]?["coffer.dev/owner"] is null, "Retain policy let go");
        var kept = world.NativeSecret("team-a", "kept")!;
        Assert.Equal("pw", OperatorWorld.Text(kept, "password"));
        Assert.Null(kept["metadata"]!["labels"]?["app.kubernetes.io/managed-by"]);
    }

    [Fact]
    public async Task MergePolicy_AddsKeysToAnExistingSecret_AndDeletionTakesOnlyThoseBack()
    {
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "shared" },
            ["data"] = new JsonObject { ["theirs"] = Convert.ToBase64String("keep-me"u8.ToArray()) },
        });
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["ours"] = "from-coffer" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-a", "merge", Spec("db", target: "shared", creation: "Merge"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "shared"), "ours") == "from-coffer", "merged");
        Assert.Equal("keep-me", OperatorWorld.Text(world.NativeSecret("team-a", "shared"), "theirs"));

        world.Api.Delete(FakeKubernetesApi.CofferGroup, "coffersecrets", "team-a", "merge");
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "shared"), "ours") is null, "our key removed");
        Assert.Equal("keep-me", OperatorWorld.Text(world.NativeSecret("team-a", "shared"), "theirs"));
    }

    [Fact]
    public async Task ExistingForeignSecret_WithoutMerge_IsLeftAloneAndReported()
    {
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "taken" },
            ["data"] = new JsonObject { ["theirs"] = Convert.ToBase64String("x"u8.ToArray()) },
        });
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["ours"] = "y" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-a", "taken", Spec("db"));

        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-a", "taken")) == "False:TargetExists", "refusal reported");
        Assert.Null(OperatorWorld.Text(world.NativeSecret("team-a", "taken"), "ours"));
    }

    [Fact]
    public async Task Conflicts_OnReplace_AreRetriedUntilTheSecretIsInStep()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "1", "first sync");

        world.Api.InjectConflicts(3);
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "2" });

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "2", "synced despite conflicts");
        Assert.True(world.Api.Calls.Count(c => c.Method == "PUT" && c.Path == "/api/v1/namespaces/team-a/secrets/db") >= 4);
    }

    [Fact]
    public async Task KubernetesWatches_Dropped_AreResumedAndDriftStillRestored()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "right" });
        await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "right", "first sync");
        var watchesBefore = world.Api.Calls.Count(c => c.Method == "GET" && c.Path.EndsWith("/secrets", StringComparison.Ordinal));

        world.Api.DropWatches();
        await OperatorWorld.EventuallyAsync(
            () => world.Api.OpenWatches >= 2 && world.Api.Calls.Count(c => c.Method == "GET" && c.Path.EndsWith("/secrets", StringComparison.Ordinal)) > watchesBefore,
            "watches re-opened");
        var edited = world.NativeSecret("team-a", "db")!;
        edited["data"]!["v"] = Convert.ToBase64String("wrong"u8.ToArray());
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", edited);

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "right", "drift restored after reconnect");
    }

    [Fact]
    public async Task OperatorRestart_CatchesUpOnWritesAndDeletionsMadeWhileItWasDown()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        await world.StartOperatorAsync();
        world.AddCofferSecret("team-a", "db", Spec("db"));
        world.AddCofferSecret("team-a", "old", Spec("db", target: "old"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "1" && world.NativeSecret("team-a", "old") is not null, "first sync");

        await world.StopOperatorAsync();
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "2" });
        world.Api.Delete(FakeKubernetesApi.CofferGroup, "coffersecrets", "team-a", "old");
        await world.StartOperatorAsync();

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "2", "write caught up");
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "old") is null, "deletion caught up");
    }

    [Fact]
    public async Task Role_OfAnotherNamespace_IsRefusedBeforeAnyRead()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "team-a-only" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-b", "steal", Spec("db", role: "team-a", sourceNamespace: "team-a"));

        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-b", "steal")) == "False:RoleNotAllowed", "role refused");
        Assert.Null(world.NativeSecret("team-b", "steal"));
    }

    [Fact]
    public async Task OwnRole_ReadingAnotherCofferNamespace_IsForbiddenByCoffer()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "team-a-only" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-b", "steal", Spec("db", sourceNamespace: "team-a"));

        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-b", "steal")) == "False:CofferRefused", "Coffer refused");
        Assert.Null(world.NativeSecret("team-b", "steal"));
        Assert.Contains(world.Api.List(FakeKubernetesApi.Core, "events", "team-b"), e => e["reason"]!.GetValue<string>() == "CofferRefused");
    }

    [Fact]
    public async Task MissingKeyOrBadTemplate_ReportsNotReadyWithReason()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "pw" });
        await world.StartOperatorAsync();

        world.AddCofferSecret("team-a", "missing", Spec("db", template: new JsonObject { ["url"] = "{{ .username }}" }));
        world.AddCofferSecret("team-a", "absent", Spec("no-such-secret"));
        world.AddCofferSecret("team-a", "no-source", new JsonObject { ["target"] = new JsonObject { ["name"] = "x" } });

        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-a", "missing")) == "False:TemplateKeyNotFound", "template key reported");
        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-a", "absent")) == "False:CofferSecretNotFound", "missing source reported");
        await OperatorWorld.EventuallyAsync(() => Ready(world.Status("team-a", "no-source")) == "False:InvalidSpec", "invalid spec reported");
        Assert.Null(world.NativeSecret("team-a", "x"));
    }

    [Fact]
    public async Task CofferWatchStream_EndingAndReopening_ResumesFromTheLastRevisionAndMissesNothing()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "0" });
        await world.StartOperatorAsync(cofferWatchTimeout: TimeSpan.FromSeconds(1));
        world.AddCofferSecret("team-a", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "0", "first sync");

        for (var i = 1; i <= 3; i++)
        {
            var opened = Watches().Count;
            await OperatorWorld.EventuallyAsync(() => Watches().Count > opened, $"stream re-opened ({i})");
            await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = $"{i}" });
            await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == $"{i}", $"write {i} synced");
        }

        Assert.DoesNotContain("revision=", Watches()[0], StringComparison.Ordinal);
        Assert.All(Watches().Skip(1), w => Assert.Contains("revision=", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CofferWatch_ResumeRevisionPruned_StartsAFreshStreamAndMissesNothing()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "0" });
        await world.StartOperatorAsync(cofferWatchTimeout: TimeSpan.FromSeconds(1));
        world.AddCofferSecret("team-a", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "0", "first sync");
        var opened = Watches().Count;
        await OperatorWorld.EventuallyAsync(() => Watches().Count > opened, "stream re-opened from a revision");

        world.CompactCofferChangeLog();
        var compacted = Watches().Count;
        await OperatorWorld.EventuallyAsync(() => Watches().Skip(compacted).Any(w => !w.Contains("revision=", StringComparison.Ordinal)), "a fresh stream after 410 Gone");
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "1", "write after the compaction synced");
    }

    [Fact]
    public async Task CofferWatchForbidden_ResyncStillDeliversFreshData()
    {
        await world.WriteCofferAsync("team-c", "db", new Dictionary<string, string> { ["v"] = "1" });
        await world.StartOperatorAsync(resync: TimeSpan.FromSeconds(1));
        world.AddCofferSecret("team-c", "db", Spec("db"));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-c", "db"), "v") == "1", "first sync");

        await world.WriteCofferAsync("team-c", "db", new Dictionary<string, string> { ["v"] = "2" });

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-c", "db"), "v") == "2", "synced by resync");
        Assert.Contains(world.CofferRequests, r => r.StartsWith("/v1/watch/namespaces/team-c/", StringComparison.Ordinal));
    }

    private List<string> Watches() => [.. world.CofferRequests.Where(r => r.StartsWith("/v1/watch/namespaces/team-a/secrets", StringComparison.Ordinal))];
}
