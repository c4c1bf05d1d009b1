using System.Text.Json.Serialization;
using k8s.Models;

namespace Coffer.Kubernetes.Reload;

internal sealed record RolloutSpec([property: JsonPropertyName("template")] V1PodTemplateSpec? Template);
