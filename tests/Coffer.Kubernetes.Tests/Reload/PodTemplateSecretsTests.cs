using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Reload;
using k8s.Models;

namespace Coffer.Kubernetes.Tests.Reload;

public sealed class PodTemplateSecretsTests
{
    [Fact]
    public void Find_EveryWayAPodUsesASecret_ListsEachOnce()
    {
        var spec = new V1PodSpec
        {
            InitContainers = [new V1Container { Name = "init", Env = [new V1EnvVar { Name = "A", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "init-env", Key = "k" } } }] }],
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Env = [new V1EnvVar { Name = "B", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "env", Key = "k" } } }, new V1EnvVar { Name = "C", Value = "plain" }],
                    EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "env-from" } }, new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "not-a-secret" } }],
                },
            ],
            Volumes =
            [
                new V1Volume { Name = "v", Secret = new V1SecretVolumeSource { SecretName = "volume" } },
                new V1Volume { Name = "p", Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { Secret = new V1SecretProjection { Name = "projected" } }, new V1VolumeProjection { Secret = new V1SecretProjection { Name = "env" } }] } },
            ],
        };

        Assert.Equal(["env", "env-from", "init-env", "projected", "volume"], PodTemplateSecrets.Find(spec));
    }

    [Fact]
    public void Find_NoSpec_IsEmpty() => Assert.Empty(PodTemplateSecrets.Find(null));

    [Fact]
    public void NewHash_SameDataAgain_IsNull_SoNoRestartLoop()
    {
        var hasher = SecretDataHash.Unkeyed;
        var hashes = new Dictionary<string, string> { ["db"] = hasher.Compute(new Dictionary<string, byte[]> { ["k"] = [1] }) };
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta(),
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "a", EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "db" } }] }] },
        };
        var optedIn = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [ReloadAnnotations.OptIn] = "true" } };

        var first = ReloadDecision.NewHash(optedIn, template, hashes, hasher);
        template.Metadata.Annotations = new Dictionary<string, string> { [ReloadAnnotations.SecretHash] = first! };
        var second = ReloadDecision.NewHash(optedIn, template, hashes, hasher);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Null(ReloadDecision.NewHash(new V1ObjectMeta(), template, hashes, hasher));
        Assert.Null(ReloadDecision.NewHash(optedIn, new V1PodTemplateSpec { Metadata = new V1ObjectMeta(), Spec = template.Spec }, hashes, hasher, initial: true));
    }

    [Fact]
    public void DataHash_KeyAndValueBoundariesMatter_AndKeyChangesIt()
    {
        var a = SecretDataHash.Unkeyed.Compute(new Dictionary<string, byte[]> { ["ab"] = "c"u8.ToArray() });
        var b = SecretDataHash.Unkeyed.Compute(new Dictionary<string, byte[]> { ["a"] = "bc"u8.ToArray() });
        var keyed = new SecretDataHash([.. Enumerable.Repeat((byte)7, 32)]).Compute(new Dictionary<string, byte[]> { ["ab"] = "c"u8.ToArray() });

        Assert.NotEqual(a, b);
        Assert.NotEqual(a, keyed);
        Assert.StartsWith("sha256:", a, StringComparison.Ordinal);
    }
}
