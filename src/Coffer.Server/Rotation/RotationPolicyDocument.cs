namespace Coffer.Server.Rotation;

/// <summary>
/// How a secret rotates: every <c>period</c> (default: the namespace's, else 90d), by <c>rotator</c> (generate, webhook or
/// postgres). <c>revokePreviousAfter</c> is the grace period before the previous credential is revoked when no rollout is known.
/// </summary>
internal sealed record RotationPolicyDocument(
    string? ApiVersion = null,
    string? Kind = null,
    string? Period = null,
    string Rotator = "generate",
    IReadOnlyList<GeneratorDocument>? Generate = null,
    WebhookRotatorDocument? Webhook = null,
    PostgresRotatorDocument? Postgres = null,
    string? RevokePreviousAfter = null);
