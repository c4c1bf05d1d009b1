using System.Text.Json.Nodes;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Tests.FakeApi;
using Coffer.Kubernetes.Tests.Operator;

namespace Coffer.Kubernetes.Tests.Reload;

/// <summary>Rolling restarts through the fake API: once per burst, only for used Secrets, never for metadata.</summary>
public sealed class ReloadTests : IAsyncLifetime
{
    private OperatorWorld world = null!;

    public async Task InitializeAsync() => world = await OperatorWorld.StartAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private static JsonObject Workload(string name, JsonObject podSpec, bool optIn = true) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["annotations"] = optIn ? new JsonObject { ["coffer.dev/reload"] = "true" } : new JsonObject(),
        },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = podSpec,
            },
        },
    };

    private static JsonObject EnvFrom(string secret) => new()
    {
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = "app",
            ["image"] = "app:1",
            ["envFrom"] = new JsonArray(new JsonObject { ["secretRef"] = new JsonObject { ["name"] = secret } }),
        }),
    };

    private int Patches(string resource, string name) =>
        world.Api.Calls.Count(c => c.Method == "PATCH" && c.Path == $"/apis/apps/v1/namespaces/team-a/{resource}/{name}");

    private static string? TemplateHash(JsonObject? workload) =>
        workload?["spec"]?["template"]?["metadata"]?["annotations"]?["coffer.dev/secret-hash"]?.GetValue<string>();

    private async Task<CofferSecretController> SyncedAsync(string value, TimeSpan? debounce = null)
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = value });
        var controller = await world.StartOperatorAsync(debounce: debounce ?? TimeSpan.FromMilliseconds(750));
        world.AddCofferSecret("team-a", "db", new JsonObject { ["source"] = new JsonObject { ["name"] = "db" } });
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == value, "first sync");
        await OperatorWorld.EventuallyAsync(() => controller.Reload.IsIdle, "reload idle");
        return controller;
    }

    [Fact]
    public async Task BurstOf20Writes_YieldsOneRolloutAtTheFinalHash()
    {
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", EnvFrom("db")));
        // A quiet time longer than any pause between two writes of the burst on a loaded test machine.
        var controller = await SyncedAsync("v0", TimeSpan.FromSeconds(3));
        Assert.Equal(0, Patches("deployments", "web"));

        for (var i = 1; i <= 20; i++)
        {
            await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = $"v{i}" });
        }

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == "v20", "last write synced");
        var hasher = SecretDataHash.Unkeyed;
        var finalData = world.NativeSecret("team-a", "db")!["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value!.GetValue<string>()));
        var expected = hasher.Combine([("db", hasher.Compute(finalData))]);
        await OperatorWorld.EventuallyAsync(() => TemplateHash(world.Api.Get(FakeKubernetesApi.Apps, "deployments", "team-a", "web")) == expected, "restarted at the final hash");
        await OperatorWorld.EventuallyAsync(() => controller.Reload.IsIdle, "reload idle");

        Assert.Equal(1, Patches("deployments", "web"));
        Assert.Equal(1, controller.Reload.Restarts);
        var restart = Assert.Single(world.Api.List(FakeKubernetesApi.Core, "events", "team-a"), e => e["reason"]!.GetValue<string>() == "SecretsChanged");
        Assert.Equal(("Deployment", "web", "Normal"), (restart["involvedObject"]!["kind"]!.GetValue<string>(), restart["involvedObject"]!["name"]!.GetValue<string>(), restart["type"]!.GetValue<string>()));
        Assert.Contains("Secret db", restart["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_ReportsTheRolloutToCoffer_StartedThenCompleteOnlyOnceRolledOut()
    {
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", EnvFrom("db")));
        var controller = await SyncedAsync("v0");

        var version = await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "v1" });
        await OperatorWorld.EventuallyAsync(() => Reports("Started").Count == 1, "rollout started reported");
        var followed = world.Api.Calls.Count(c => c.Method == "GET" && c.Path == "/apis/apps/v1/namespaces/team-a/deployments/web");
        await OperatorWorld.EventuallyAsync(
            () => world.Api.Calls.Count(c => c.Method == "GET" && c.Path == "/apis/apps/v1/namespaces/team-a/deployments/web") > followed,
            "the deployment read again while it rolls out");
        var completeTooEarly = Reports("Complete").Count;

        var web = world.Api.Get(FakeKubernetesApi.Apps, "deployments", "team-a", "web")!;
        web["status"] = new JsonObject { ["observedGeneration"] = web["metadata"]!["generation"]!.DeepClone(), ["replicas"] = 1, ["updatedReplicas"] = 1, ["availableReplicas"] = 1 };
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", web);

        await OperatorWorld.EventuallyAsync(() => Reports("Complete").Count == 1, "rollout complete reported");
        var started = Reports("Started").Single();
        Assert.Equal(0, completeTooEarly);
        Assert.Equal("/v1/namespaces/team-a/rotation/secrets/db/rollout", started.Path);
        Assert.Equal(version, started.Body["version"]!.GetValue<long>());
        Assert.Equal(["Deployment/team-a/web"], started.Body["workloads"]!.AsArray().Select(w => w!.GetValue<string>()));
        await OperatorWorld.EventuallyAsync(() => controller.FollowedRollouts == 0, "no rollout left to follow");
    }

    [Fact]
    public async Task Restart_NoWorkloadUsesTheSecret_ReportsNothing_SoCofferKeepsItsGracePeriod()
    {
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", EnvFrom("other")));
        var controller = await SyncedAsync("v0");
        var flushes = controller.Reload.Flushes;

        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "v1" });

        await OperatorWorld.EventuallyAsync(() => controller.Reload.Flushes > flushes && controller.Reload.IsIdle, "the namespace's restart pass");
        Assert.Empty(world.RolloutReports);
    }

    private List<(string Path, JsonObject Body)> Reports(string state) =>
        [.. world.RolloutReports.Where(r => r.Body["state"]!.GetValue<string>() == state)];

    [Fact]
    public async Task UnrelatedSecretChange_RestartsNothing()
    {
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", EnvFrom("db")));
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" }, ["data"] = new JsonObject { ["k"] = "MQ==" } });
        var controller = await SyncedAsync("v0");
        var flushes = controller.Reload.Flushes;

        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" }, ["data"] = new JsonObject { ["k"] = "Mg==" } });

        await OperatorWorld.EventuallyAsync(() => controller.Reload.Flushes > flushes && controller.Reload.IsIdle, "the namespace's restart pass");
        Assert.Equal(0, Patches("deployments", "web"));
    }

    [Fact]
    public async Task MetadataOnlyChange_SchedulesNoRestartPass()
    {
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", EnvFrom("db")));
        var controller = await SyncedAsync("v0");
        var flushes = controller.Reload.Flushes;
        var observations = controller.Reload.Observations;

        var secret = world.NativeSecret("team-a", "db")!;
        secret["metadata"]!["labels"]!["team"] = "a";
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", secret);

        await OperatorWorld.EventuallyAsync(() => controller.Reload.Observations > observations, "the change observed");
        Assert.True(controller.Reload.IsIdle);
        Assert.Equal(flushes, controller.Reload.Flushes);
        Assert.Equal(0, Patches("deployments", "web"));
    }

    [Fact]
    public async Task DataChange_RestartsEveryOptedInKindUsingIt_AndNoOther()
    {
        var volume = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }),
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = "s", ["secret"] = new JsonObject { ["secretName"] = "db" } }),
        };
        var projected = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }),
            ["volumes"] = new JsonArray(new JsonObject
            {
                ["name"] = "p",
                ["projected"] = new JsonObject { ["sources"] = new JsonArray(new JsonObject { ["secret"] = new JsonObject { ["name"] = "db" } }) },
            }),
        };
        var env = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "app",
                ["image"] = "app:1",
                ["env"] = new JsonArray(new JsonObject
                {
                    ["name"] = "PASSWORD",
                    ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "db", ["key"] = "password" } },
                }),
            }),
        };
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("web", env));
        world.Api.Put(FakeKubernetesApi.Apps, "statefulsets", "team-a", Workload("store", volume));
        world.Api.Put(FakeKubernetesApi.Apps, "daemonsets", "team-a", Workload("agent", projected));
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("not-opted-in", (JsonObject)env.DeepClone(), optIn: false));
        world.Api.Put(FakeKubernetesApi.Apps, "deployments", "team-a", Workload("uses-other", EnvFrom("other")));
        var controller = await SyncedAsync("v0");

        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "v1" });

        await OperatorWorld.EventuallyAsync(() => controller.Reload.Restarts == 3 && controller.Reload.IsIdle, "three restarts");
        Assert.Equal(1, Patches("deployments", "web"));
        Assert.Equal(1, Patches("statefulsets", "store"));
        Assert.Equal(1, Patches("daemonsets", "agent"));
        Assert.Equal(0, Patches("deployments", "not-opted-in"));
        Assert.Equal(0, Patches("deployments", "uses-other"));
        Assert.Contains(world.Api.Calls, c => c.Method == "PATCH" && c.ContentType!.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal));
    }
}
