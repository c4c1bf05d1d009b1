using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Sealing;
using Coffer.Kubernetes.Tests.FakeApi;

namespace Coffer.Kubernetes.Tests.Operator;

/// <summary>
/// The operator turns SealedSecrets into native Secrets, through a real Coffer server and the fake Kubernetes API:
/// owned by the SealedSecret, with a Synced condition, and never for another namespace or name or over a Secret it does not manage.
/// </summary>
public sealed class SealedSecretControllerTests : IAsyncLifetime
{
    private readonly string password = "db-canary-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private OperatorWorld world = null!;
    private string certificate = null!;

    public async Task InitializeAsync()
    {
        world = await OperatorWorld.StartAsync();
        certificate = await world.Root.GetStringAsync("/v1/sealing/certificate");
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task SealedSecret_Applied_BecomesAnOwnedSecretWithTheExactBytesAndSyncedTrue()
    {
        await world.StartOperatorAsync();
        var applied = Apply("team-a", Seal("team-a", "db", new() { ["password"] = password, ["user"] = "app" }, labels: new() { ["app"] = "shop" }));

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-a", "db") == "True", "Synced=True");
        var secret = world.NativeSecret("team-a", "db")!;
        var owner = secret["metadata"]!["ownerReferences"]![0]!;

        Assert.Equal(password, OperatorWorld.Text(secret, "password"));
        Assert.Equal("app", OperatorWorld.Text(secret, "user"));
        Assert.Equal("shop", secret["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal(("SealedSecret", "db", true), (owner["kind"]!.GetValue<string>(), owner["name"]!.GetValue<string>(), owner["controller"]!.GetValue<bool>()));
        Assert.Equal(applied["metadata"]!["uid"]!.GetValue<string>(), owner["uid"]!.GetValue<string>());
        Assert.Equal(applied["metadata"]!["generation"]!.GetValue<long>(), Status("team-a", "db")!["observedGeneration"]!.GetValue<long>());
        Assert.Contains(world.Api.List(FakeKubernetesApi.Core, "events", "team-a"), e => e["reason"]!.GetValue<string>() == "Unsealed");
    }

    [Fact]
    public async Task SealedSecret_Resealed_TheSecretFollows()
    {
        await world.StartOperatorAsync();
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = password }));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == password, "first value");

        var next = password + "-2";
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = next }));

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == next, "resealed value");
    }

    [Fact]
    public async Task SealedSecret_CopiedToAnotherName_NoSecretAndSyncedFalse()
    {
        await world.StartOperatorAsync();
        var copy = Seal("team-a", "db", new() { ["password"] = password });
        copy["metadata"]!["name"] = "stolen";
        copy["spec"]!["template"]!["metadata"]!["name"] = "stolen";

        Apply("team-a", copy);

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-a", "stolen") == "False", "Synced=False");
        Assert.Null(world.NativeSecret("team-a", "stolen"));
        Assert.Equal("ErrUnsealFailed", Condition("team-a", "stolen")!["reason"]!.GetValue<string>());
        Assert.DoesNotContain(password, Status("team-a", "stolen")!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SealedSecret_MovedToAnotherNamespace_NoSecretThere()
    {
        await world.StartOperatorAsync();
        var moved = Seal("team-a", "db", new() { ["password"] = password });
        moved["metadata"]!["namespace"] = "team-b";
        moved["spec"]!["template"]!["metadata"]!["namespace"] = "team-b";

        Apply("team-b", moved);

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-b", "db") == "False", "Synced=False");
        Assert.Null(world.NativeSecret("team-b", "db"));
    }

    [Fact]
    public async Task SealedSecret_NamespaceWhoseRoleMayNotUnseal_RefusedByCoffer()
    {
        await world.StartOperatorAsync();

        Apply("team-c", Seal("team-c", "db", new() { ["password"] = password }));

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-c", "db") == "False", "Synced=False");
        Assert.Equal("CofferRefused", Condition("team-c", "db")!["reason"]!.GetValue<string>());
        Assert.Null(world.NativeSecret("team-c", "db"));
    }

    [Fact]
    public async Task SealedSecret_OverAnUnmanagedSecret_LeavesItAlone_UntilAnnotatedManaged()
    {
        var own = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "db", ["namespace"] = "team-a" },
            ["data"] = new JsonObject { ["password"] = Convert.ToBase64String("mine"u8.ToArray()) },
        };
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", own);
        await world.StartOperatorAsync();

        Apply("team-a", Seal("team-a", "db", new() { ["password"] = password }));

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-a", "db") == "False", "Synced=False");
        Assert.Equal("ErrUpdateFailed", Condition("team-a", "db")!["reason"]!.GetValue<string>());
        Assert.Equal("mine", OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password"));

        own["metadata"]!["annotations"] = new JsonObject { [SealedSecretFields.ManagedAnnotation] = "true" };
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", own);
        // A spec change makes the SealedSecret due again, as a user's re-apply would.
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = password, ["user"] = "app" }));

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == password && SyncedStatus("team-a", "db") == "True", "taken over");
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("AAAA")]
    public async Task SealedSecret_GarbageEncryptedData_SyncedFalseWithAClearMessage(string garbage)
    {
        await world.StartOperatorAsync();
        var broken = Seal("team-a", "db", new() { ["password"] = password });
        broken["spec"]!["encryptedData"]!["password"] = garbage;

        Apply("team-a", broken);

        await OperatorWorld.EventuallyAsync(() => SyncedStatus("team-a", "db") == "False", "Synced=False");
        Assert.Null(world.NativeSecret("team-a", "db"));
        Assert.False(string.IsNullOrWhiteSpace(Condition("team-a", "db")!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Operator_Restarted_UnsealsWhatArrivedWhileItWasDown()
    {
        await world.StartOperatorAsync();
        Apply("team-a", Seal("team-a", "first", new() { ["password"] = password }));
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "first") is not null, "first Secret");
        await world.StopOperatorAsync();

        Apply("team-a", Seal("team-a", "second", new() { ["password"] = password }));
        await world.StartOperatorAsync();

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "second"), "password") == password, "second Secret");
    }

    [Fact]
    public async Task Operator_WatchDropped_ResumesAndFollowsLaterChanges()
    {
        await world.StartOperatorAsync();
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = password }));
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == password, "first value");

        world.Api.DropWatches();
        var next = password + "-2";
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = next }));
        Apply("team-b", Seal("team-b", "api", new() { ["password"] = password }));

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == next, "value resealed after the drop");
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-b", "api"), "password") == password, "SealedSecret added after the drop");
    }

    [Fact]
    public async Task Operator_OwnedSecretDeletedOrEdited_RestoredAtResync()
    {
        await world.StartOperatorAsync(resync: TimeSpan.FromMilliseconds(200));
        Apply("team-a", Seal("team-a", "db", new() { ["password"] = password }));
        Apply("team-a", Seal("team-a", "api", new() { ["password"] = password }));
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "db") is not null && world.NativeSecret("team-a", "api") is not null, "both Secrets");

        world.Api.Delete(FakeKubernetesApi.Core, "secrets", "team-a", "db");
        var edited = world.NativeSecret("team-a", "api")!;
        edited["data"]!["password"] = Convert.ToBase64String("hunter2"u8);
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", edited);

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == password, "deleted Secret recreated");
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "api"), "password") == password, "edited Secret restored");
    }

    [Fact]
    public async Task Operator_KubesealSealedSecret_Unsealed()
    {
        // Sealed by @linode/kubeseal-encrypt (an implementation we did not write) with Coffer's certificate, namespace-wide.
        var folder = Directory.CreateTempSubdirectory("coffer-kubeseal-").FullName;
        string encrypted;
        try
        {
            var publicKey = Sealing.NodeScript.WritePrivateFile(folder, "public.pem", SealingCertificate.PublicKeyPem(certificate));
            encrypted = await Sealing.NodeScript.RunAsync("seal-with-kubeseal-encrypt.mjs", password, publicKey, "team-a");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        await world.StartOperatorAsync();

        Apply("team-a", new JsonObject
        {
            ["apiVersion"] = SealedSecretFields.ApiVersion,
            ["kind"] = SealedSecretFields.Kind,
            ["metadata"] = new JsonObject { ["name"] = "db", ["namespace"] = "team-a", ["annotations"] = new JsonObject { ["sealedsecrets.bitnami.com/namespace-wide"] = "true" } },
            ["spec"] = new JsonObject { ["encryptedData"] = new JsonObject { ["password"] = encrypted }, ["template"] = new JsonObject { ["metadata"] = new JsonObject() } },
        });

        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "password") == password, "kubeseal's value");
    }

    private JsonObject Seal(string ns, string name, Dictionary<string, string> values, Dictionary<string, string>? labels = null)
    {
        var data = new JsonObject();
        foreach (var (key, value) in values)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        using var rsa = SealingCertificate.LoadPublicKey(certificate);
        return SecretSealer.Seal(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = metadata, ["data"] = data }, rsa);
    }

    private JsonObject Apply(string ns, JsonObject sealedSecret) => world.Api.Put(FakeKubernetesApi.Bitnami, "sealedsecrets", ns, sealedSecret);

    private JsonObject? Status(string ns, string name) => world.Api.Get(FakeKubernetesApi.Bitnami, "sealedsecrets", ns, name)?["status"] as JsonObject;

    private JsonObject? Condition(string ns, string name) => Status(ns, name)?["conditions"]?[0] as JsonObject;

    private string? SyncedStatus(string ns, string name) => Condition(ns, name)?["status"]?.GetValue<string>();
}
