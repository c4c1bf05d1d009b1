using System.Text.Json.Nodes;
using k8s.Models;

namespace Coffer.Kubernetes.Reload;

/// <summary>
/// Whether a restarted workload has finished rolling out, read from its status the way <c>kubectl rollout status</c>
/// does: the controller has seen the newest spec, and every desired pod is updated and available. Pure.
/// </summary>
internal static class RolloutProgress
{
    public static bool IsComplete(V1Deployment deployment)
    {
        var desired = deployment.Spec?.Replicas ?? 1;
        var status = deployment.Status;
        return status is not null
            && (status.ObservedGeneration ?? 0) >= (deployment.Metadata.Generation ?? 0)
            && (status.UpdatedReplicas ?? 0) == desired
            && (status.Replicas ?? 0) == desired
            && (status.AvailableReplicas ?? 0) == desired;
    }

    public static bool IsComplete(V1StatefulSet set)
    {
        var desired = set.Spec?.Replicas ?? 1;
        var status = set.Status;
        return status is not null
            && (status.ObservedGeneration ?? 0) >= (set.Metadata.Generation ?? 0)
            && (status.UpdatedReplicas ?? 0) == desired
            && status.ReadyReplicas == desired;
    }

    public static bool IsComplete(V1DaemonSet set)
    {
        var status = set.Status;
        return status is not null
            && (status.ObservedGeneration ?? 0) >= (set.Metadata.Generation ?? 0)
            && (status.UpdatedNumberScheduled ?? 0) == status.DesiredNumberScheduled
            && (status.NumberAvailable ?? 0) == status.DesiredNumberScheduled;
    }

    /// <summary>Argo Rollouts: its own status says Healthy once the new pods have replaced the old.</summary>
    public static bool IsComplete(JsonObject rollout)
    {
        var desired = rollout["spec"]?["replicas"] is JsonValue r ? WholeNumber(r) : 1;
        var status = rollout["status"] as JsonObject;
        return status?["phase"] is JsonValue phase && phase.TryGetValue<string>(out var text) && text == "Healthy"
            && status["updatedReplicas"] is JsonValue u && WholeNumber(u) == desired
            && WholeNumber(rollout["metadata"]?["generation"]) <= WholeNumber(status["observedGeneration"]);
    }

    // A whole number however it came: Argo writes observedGeneration as a string, Kubernetes' own kinds as a number.
    private static long WholeNumber(JsonNode? node) =>
        node is JsonValue value && long.TryParse(
            value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString(),
            System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture,
            out var number)
            ? number
            : 0;
}
