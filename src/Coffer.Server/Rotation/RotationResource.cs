namespace Coffer.Server.Rotation;

/// <summary>A secret's rotation policy, due date and latest rotation.</summary>
internal sealed record RotationResource(
    string ApiVersion,
    string Kind,
    string Namespace,
    string Name,
    RotationPolicyDocument? Policy,
    long CurrentVersion,
    DateTimeOffset CurrentSince,
    string Period,
    DateTimeOffset DueAt,
    string DueState,
    string? Status,
    string? LastStep,
    string? Error,
    string? Token,
    long? PendingVersion,
    long? PreviousVersion,
    DateTimeOffset? RevokePreviousAt);
