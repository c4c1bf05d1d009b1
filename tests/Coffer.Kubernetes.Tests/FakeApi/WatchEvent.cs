using System.Text.Json.Nodes;

namespace Coffer.Kubernetes.Tests.FakeApi;

/// <summary>One entry of the fake's history: what changed at which resourceVersion.</summary>
internal sealed record WatchEvent(long ResourceVersion, ResourceKey Key, string Type, JsonObject Object);
