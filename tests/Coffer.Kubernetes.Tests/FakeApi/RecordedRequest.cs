using System.Text.Json.Nodes;

namespace Coffer.Kubernetes.Tests.FakeApi;

/// <summary>A TokenReview request as the fake API server received it.</summary>
internal sealed record RecordedRequest(string ContentType, JsonNode? Body, string? Authorization = null);
