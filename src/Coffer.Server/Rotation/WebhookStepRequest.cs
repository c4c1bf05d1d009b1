namespace Coffer.Server.Rotation;

/// <summary>What a webhook rotator receives for set, test and revoke: the value of the version concerned, base64 per key.</summary>
internal sealed record WebhookStepRequest(string Step, string Namespace, string Name, string Token, long Version, IReadOnlyDictionary<string, string> Data);
