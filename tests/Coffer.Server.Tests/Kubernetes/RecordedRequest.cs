using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Kubernetes;

/// <summary>A request as the fake API server received it.</summary>
internal sealed record RecordedRequest(string ContentType, JsonNode? Body, string? Authorization = null);
