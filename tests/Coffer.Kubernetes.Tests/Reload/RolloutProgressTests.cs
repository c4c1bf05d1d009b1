using System.Text.Json.Nodes;
using Coffer.Kubernetes.Reload;
using k8s.Models;

namespace Coffer.Kubernetes.Tests.Reload;

/// <summary>A rollout is complete when the controller saw the newest spec and every desired pod is updated and available.</summary>
public sealed class RolloutProgressTests
{
    private static V1Deployment Deployment(long generation, long? observed, int replicas, int updated, int available, int total) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", Generation = generation },
        Spec = new V1DeploymentSpec { Replicas = replicas },
        Status = observed is null ? null : new V1DeploymentStatus { ObservedGeneration = observed, UpdatedReplicas = updated, AvailableReplicas = available, Replicas = total },
    };

    [Theory]
    [InlineData(2, 2L, 3, 3, 3, 3, true)]
    [InlineData(2, 1L, 3, 3, 3, 3, false)]
    [InlineData(2, 2L, 3, 2, 3, 3, false)]
    [InlineData(2, 2L, 3, 3, 2, 3, false)]
    [InlineData(2, 2L, 3, 3, 3, 4, false)]
    [InlineData(2, null, 3, 0, 0, 0, false)]
    public void Deployment_Status_DecidesCompletion(long generation, long? observed, int replicas, int updated, int available, int total, bool complete) =>
        Assert.Equal(complete, RolloutProgress.IsComplete(Deployment(generation, observed, replicas, updated, available, total)));

    [Theory]
    [InlineData(3, 3, true)]
    [InlineData(3, 2, false)]
    public void StatefulSet_AllUpdatedAndReady_Complete(int updated, int ready, bool complete) =>
        Assert.Equal(complete, RolloutProgress.IsComplete(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Generation = 4 },
            Spec = new V1StatefulSetSpec { Replicas = 3 },
            Status = new V1StatefulSetStatus { ObservedGeneration = 4, UpdatedReplicas = updated, ReadyReplicas = ready, Replicas = 3 },
        }));

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(4, 5, false)]
    public void DaemonSet_EveryNodeUpdatedAndAvailable_Complete(int updated, int available, bool complete) =>
        Assert.Equal(complete, RolloutProgress.IsComplete(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Generation = 2 },
            Status = new V1DaemonSetStatus { ObservedGeneration = 2, DesiredNumberScheduled = 5, UpdatedNumberScheduled = updated, NumberAvailable = available, CurrentNumberScheduled = 5, NumberMisscheduled = 0, NumberReady = 5 },
        }));

    [Theory]
    [InlineData("Healthy", 2, "7", true)]
    [InlineData("Progressing", 2, "7", false)]
    [InlineData("Healthy", 1, "7", false)]
    [InlineData("Healthy", 2, "6", false)]
    public void ArgoRollout_HealthyAndUpdatedAtTheNewestGeneration_Complete(string phase, int updated, string observed, bool complete) =>
        Assert.Equal(complete, RolloutProgress.IsComplete(new JsonObject
        {
            ["metadata"] = new JsonObject { ["generation"] = 7 },
            ["spec"] = new JsonObject { ["replicas"] = 2 },
            ["status"] = new JsonObject { ["phase"] = phase, ["updatedReplicas"] = updated, ["observedGeneration"] = observed },
        }));
}
