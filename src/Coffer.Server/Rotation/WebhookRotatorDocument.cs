namespace Coffer.Server.Rotation;

/// <summary>The endpoint a webhook rotator POSTs its set, test and revoke steps to.</summary>
internal sealed record WebhookRotatorDocument(string Url);
