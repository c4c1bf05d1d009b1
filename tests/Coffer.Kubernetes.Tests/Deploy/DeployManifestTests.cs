using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Sealing;
using Coffer.Kubernetes.Tests.FakeApi;
using Coffer.Kubernetes.Tests.Operator;
using YamlDotNet.RepresentationModel;

namespace Coffer.Kubernetes.Tests.Deploy;

/// <summary>deploy/: every manifest parses; the CRD schema matches the operator's types; the RBAC grants exactly what the operator calls.</summary>
public sealed class DeployManifestTests
{
    private static readonly string DeployFolder = Path.Combine(AppContext.BaseDirectory, "deploy");

    private static List<(string File, YamlMappingNode Document)> Documents()
    {
        var documents = new List<(string, YamlMappingNode)>();
        // deploy/prometheus holds Prometheus rule files, not Kubernetes objects; promtool checks them (PrometheusRulesTests).
        foreach (var file in Directory.GetFiles(DeployFolder, "*.yaml", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(DeployFolder, f).StartsWith("prometheus", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using var reader = new StringReader(File.ReadAllText(file));
            stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => (Path.GetRelativePath(DeployFolder, file), (YamlMappingNode)d.RootNode)));
        }

        return documents;
    }

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    private static string? Scalar(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    [Fact]
    public void Workloads_LongRunningCofferContainers_TurnDynamicPgoBackOn()
    {
        var containers = Documents()
            .Where(d => Scalar(d.Document, "kind") is "Deployment" or "StatefulSet")
            .SelectMany(d => ((At(d.Document, "spec", "template", "spec", "containers") as YamlSequenceNode)?.Children ?? []).Select(c => (d.File, Container: c)))
            .Where(c => Scalar(c.Container, "image")?.Contains("/coffer:", StringComparison.Ordinal) == true)
            .ToList();

        Assert.Equal(3, containers.Count);
        foreach (var (file, container) in containers)
        {
            var env = ((At(container, "env") as YamlSequenceNode)?.Children ?? []).ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value"));
            Assert.True(env.GetValueOrDefault("DOTNET_TieredPGO") == "1", $"{file}: DOTNET_TieredPGO");
            Assert.True(env.GetValueOrDefault("DOTNET_TC_QuickJitForLoops") == "1", $"{file}: DOTNET_TC_QuickJitForLoops");
        }
    }

    [Fact]
    public void EveryManifest_Parses_WithApiVersionKindAndName()
    {
        var documents = Documents();

        Assert.True(documents.Count >= 15, $"only {documents.Count} documents under deploy/");
        foreach (var (file, document) in documents)
        {
            Assert.False(string.IsNullOrEmpty(Scalar(document, "apiVersion")), $"{file}: apiVersion");
            Assert.False(string.IsNullOrEmpty(Scalar(document, "kind")), $"{file}: kind");
            Assert.False(string.IsNullOrEmpty(Scalar(document, "metadata", "name")), $"{file}: metadata.name");
        }

        var kinds = documents.Select(d => Scalar(d.Document, "kind")).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(
            new HashSet<string?>(["CustomResourceDefinition", "Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy", "MutatingWebhookConfiguration", "Service", "Namespace"], StringComparer.Ordinal),
            kinds);
    }

    [Fact]
    public void Crd_Schema_HasExactlyTheFieldsTheOperatorReadsAndWrites()
    {
        var crd = Documents().Single(d => Scalar(d.Document, "kind") == "CustomResourceDefinition" && Scalar(d.Document, "metadata", "name") == $"{CofferSecretNames.Plural}.{CofferSecretNames.Group}").Document;
        var version = (YamlMappingNode)((YamlSequenceNode)At(crd, "spec", "versions")!).Children.Single();
        var schema = At(version, "schema", "openAPIV3Schema")!;

        AssertFields(typeof(CofferSecretSpec), At(schema, "properties", "spec")!);
        AssertFields(typeof(CofferSecretSource), At(schema, "properties", "spec", "properties", "source")!);
        AssertFields(typeof(CofferSecretTarget), At(schema, "properties", "spec", "properties", "target")!);
        AssertFields(typeof(CofferSecretStatus), At(schema, "properties", "status")!);
        AssertFields(typeof(CofferSecretCondition), At(schema, "properties", "status", "properties", "conditions", "items")!);
        Assert.Equal(
            [CofferSecretNames.Owner, CofferSecretNames.Orphan, CofferSecretNames.Merge],
            ((YamlSequenceNode)At(schema, "properties", "spec", "properties", "target", "properties", "creationPolicy", "enum")!).Children.Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal(
            [CofferSecretNames.Delete, CofferSecretNames.Retain],
            ((YamlSequenceNode)At(schema, "properties", "spec", "properties", "target", "properties", "deletionPolicy", "enum")!).Children.Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal(CofferSecretNames.Group, Scalar(crd, "spec", "group"));
        Assert.Equal(CofferSecretNames.Plural, Scalar(crd, "spec", "names", "plural"));
        Assert.Equal(CofferSecretNames.Kind, Scalar(crd, "spec", "names", "kind"));
        Assert.Equal(CofferSecretNames.Version, Scalar(version, "name"));
        Assert.NotNull(At(version, "subresources", "status"));
    }

    [Fact]
    public void SealedSecretCrd_Schema_HoldsTheStatusTheOperatorWrites()
    {
        var crd = Documents().Single(d => Scalar(d.Document, "kind") == "CustomResourceDefinition" && Scalar(d.Document, "metadata", "name") == "sealedsecrets.bitnami.com").Document;
        var version = (YamlMappingNode)((YamlSequenceNode)At(crd, "spec", "versions")!).Children.Single();
        var status = At(version, "schema", "openAPIV3Schema", "properties", "status")!;
        var written = SealedSecretUnsealer.ToSecret(new JsonObject(), Sealing.SealingFixture.Keys, DateTimeOffset.UnixEpoch).Status;

        Assert.Equal(("bitnami.com", "sealedsecrets", "v1alpha1"), (Scalar(crd, "spec", "group"), Scalar(crd, "spec", "names", "plural"), Scalar(version, "name")));
        Assert.NotNull(At(version, "subresources", "status"));
        Assert.Equal(Keys(At(status, "properties")!), written.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Keys(At(status, "properties", "conditions", "items", "properties")!), written["conditions"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> Keys(YamlNode map) => ((YamlMappingNode)map).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal);

    private static void AssertFields(Type type, YamlNode schema)
    {
        var expected = type.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>().Order(StringComparer.Ordinal);
        var actual = ((YamlMappingNode)At(schema, "properties")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    /// <summary>Every grant is exercised by the operator in a scenario against the fake API, and every call it makes is granted.</summary>
    [Fact]
    public async Task ClusterRole_GrantsExactlyTheCallsTheOperatorMakes()
    {
        var granted = Granted();
        var used = await CallsOfAFullScenarioAsync();

        Assert.Empty(used.Except(granted).Order());
        Assert.Empty(granted.Except(used).Order());
    }

    [Fact]
    public void ClusterRole_IsBoundOnlyToTheOperatorsServiceAccount_AndWebhookHasNoToken()
    {
        var documents = Documents();
        var binding = documents.Single(d => Scalar(d.Document, "kind") == "ClusterRoleBinding").Document;
        var subject = (YamlMappingNode)((YamlSequenceNode)At(binding, "subjects")!).Children.Single();
        var webhook = documents.Single(d => Scalar(d.Document, "kind") == "ServiceAccount" && Scalar(d.Document, "metadata", "name") == "coffer-webhook").Document;

        Assert.Equal("coffer-operator", Scalar(binding, "roleRef", "name"));
        Assert.Equal(("ServiceAccount", "coffer-operator", "coffer-system"), (Scalar(subject, "kind"), Scalar(subject, "name"), Scalar(subject, "namespace")));
        Assert.Equal("false", Scalar(webhook, "automountServiceAccountToken"));
        Assert.DoesNotContain(documents, d => Scalar(d.Document, "kind") is "Role" or "RoleBinding");
    }

    [Fact]
    public void NetworkPolicy_CofferServer_AdmitsOnlyTheOperatorAndClientNamespaces()
    {
        var policy = Documents().Single(d => Scalar(d.Document, "kind") == "NetworkPolicy" && Scalar(d.Document, "metadata", "name") == "coffer-server-ingress").Document;
        var peers = ((YamlSequenceNode)At(((YamlSequenceNode)At(policy, "spec", "ingress")!).Children.Single(), "from")!).Children;

        Assert.Equal("coffer-server", Scalar(policy, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Equal(2, peers.Count);
        Assert.Equal("coffer-operator", Scalar(peers[0], "podSelector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Equal("enabled", Scalar(peers[1], "namespaceSelector", "matchLabels", "coffer.dev/clients"));
    }

    private static HashSet<string> Granted()
    {
        var role = Documents().Single(d => Scalar(d.Document, "kind") == "ClusterRole").Document;
        var grants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in ((YamlSequenceNode)At(role, "rules")!).Children)
        {
            foreach (var group in ((YamlSequenceNode)At(rule, "apiGroups")!).Children)
            {
                foreach (var resource in ((YamlSequenceNode)At(rule, "resources")!).Children)
                {
                    foreach (var verb in ((YamlSequenceNode)At(rule, "verbs")!).Children)
                    {
                        grants.Add($"{((YamlScalarNode)group).Value}|{((YamlScalarNode)resource).Value}|{((YamlScalarNode)verb).Value}");
                    }
                }
            }
        }

        return grants;
    }

    private static async Task<HashSet<string>> CallsOfAFullScenarioAsync()
    {
        await using var world = await OperatorWorld.StartAsync();
        var podSpec = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "app",
                ["image"] = "app:1",
                ["envFrom"] = new JsonArray(new JsonObject { ["secretRef"] = new JsonObject { ["name"] = "db" } }),
            }),
        };
        foreach (var (prefix, resource) in new[] { (FakeKubernetesApi.Apps, "deployments"), (FakeKubernetesApi.Apps, "statefulsets"), (FakeKubernetesApi.Apps, "daemonsets"), (FakeKubernetesApi.Argo, "rollouts") })
        {
            world.Api.Put(prefix, resource, "team-a", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "w", ["annotations"] = new JsonObject { ["coffer.dev/reload"] = "true" } },
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject(), ["spec"] = podSpec.DeepClone() } },
            });
        }

        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "1" });
        var controller = await world.StartOperatorAsync(debounce: TimeSpan.FromMilliseconds(200));
        world.AddCofferSecret("team-a", "db", new JsonObject { ["source"] = new JsonObject { ["name"] = "db" } });
        await OperatorWorld.EventuallyAsync(() => OperatorWorld.Text(world.NativeSecret("team-a", "db"), "v") == "1", "sync");
        using (var rsa = SealingCertificate.LoadPublicKey(await world.Root.GetStringAsync("/v1/sealing/certificate")))
        {
            var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "sealed", ["namespace"] = "team-a" }, ["data"] = new JsonObject { ["v"] = "MQ==" } };
            world.Api.Put(FakeKubernetesApi.Bitnami, "sealedsecrets", "team-a", SecretSealer.Seal(secret, rsa));
        }

        await OperatorWorld.EventuallyAsync(
            () => world.NativeSecret("team-a", "sealed") is not null && world.Api.Get(FakeKubernetesApi.Bitnami, "sealedsecrets", "team-a", "sealed")?["status"] is not null,
            "SealedSecret unsealed");

        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["v"] = "2" });
        await OperatorWorld.EventuallyAsync(() => controller.Reload.Restarts == 4 && controller.Reload.IsIdle, "all four kinds restarted, Argo Rollout included");
        await OperatorWorld.EventuallyAsync(() => world.Api.Calls.Any(c => c.Method == "GET" && c.Path.EndsWith("/rollouts/w", StringComparison.Ordinal)), "the rollouts followed");
        var edited = world.NativeSecret("team-a", "db")!;
        edited["data"]!["v"] = "eA==";
        world.Api.Put(FakeKubernetesApi.Core, "secrets", "team-a", edited);
        await OperatorWorld.EventuallyAsync(() => world.Api.List(FakeKubernetesApi.Core, "events", "team-a").Count > 0, "drift event");
        world.Api.Delete(FakeKubernetesApi.CofferGroup, "coffersecrets", "team-a", "db");
        await OperatorWorld.EventuallyAsync(() => world.NativeSecret("team-a", "db") is null, "deleted");
        Assert.NotNull(world.Api.Get(FakeKubernetesApi.Argo, "rollouts", "team-a", "w")!["spec"]!["template"]!["metadata"]!["annotations"]!["coffer.dev/secret-hash"]);

        return world.Api.Calls.Select(Permission).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The RBAC (apiGroup, resource, verb) a request needs, as the API server's authorizer computes it.</summary>
    private static string Permission(RecordedCall call)
    {
        var segments = call.Path.Trim('/').Split('/');
        var (group, rest) = segments[0] == "api" ? (string.Empty, segments[2..]) : (segments[1], segments[3..]);
        var (resource, named) = rest switch
        {
            [var r] => (r, false),
            ["namespaces", _, var r] => (r, false),
            ["namespaces", _, var r, _] => (r, true),
            ["namespaces", _, var r, _, var sub] => ($"{r}/{sub}", true),
            _ => throw new InvalidOperationException(call.Path),
        };
        var verb = call.Method switch
        {
            "GET" when call.IsWatch => "watch",
            "GET" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => throw new InvalidOperationException(call.Method),
        };
        return $"{group}|{resource}|{verb}";
    }
}
