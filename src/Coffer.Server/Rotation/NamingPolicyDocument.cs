namespace Coffer.Server.Rotation;

/// <summary>A namespace's naming and metadata rules; <c>mode</c> enforce rejects writes that break them, warn only reports.</summary>
internal sealed record NamingPolicyDocument(
    string? NamePattern = null,
    IReadOnlyList<string>? RequiredLabels = null,
    IReadOnlyList<string>? RequiredAnnotations = null,
    string Mode = "enforce");
