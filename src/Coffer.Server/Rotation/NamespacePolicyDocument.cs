namespace Coffer.Server.Rotation;

/// <summary>A namespace's rotation defaults, due-soon notification and naming policy.</summary>
internal sealed record NamespacePolicyDocument(
    string? ApiVersion = null,
    string? Kind = null,
    string? DefaultPeriod = null,
    string? NotifyBefore = null,
    string? NotifyWebhook = null,
    NamingPolicyDocument? Naming = null);
