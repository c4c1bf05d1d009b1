namespace Coffer.Server.Rotation;

/// <summary>The request token that makes a step idempotent; a rotation's four steps share one.</summary>
internal sealed record RotationStepRequest(string? Token);
