using System.Text.Json.Serialization;
using k8s.Models;

namespace Coffer.Kubernetes.Reload;

/// <summary>The part of an Argo Rollout the reload reads: its metadata and pod template.</summary>
internal sealed record Rollout(
    [property: JsonPropertyName("metadata")] V1ObjectMeta Metadata,
    [property: JsonPropertyName("spec")] RolloutSpec? Spec);
