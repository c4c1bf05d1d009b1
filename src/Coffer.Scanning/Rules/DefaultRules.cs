namespace Coffer.Scanning.Rules;

/// <summary>The built-in rules, provider-specific first: the first rule to claim a secret on a line reports it.</summary>
public static class DefaultRules
{
    public static IReadOnlyList<DetectionRule> All { get; } =
        [.. new[] { CloudRules.All, CodeHostingRules.All, SaasRules.All, CredentialRules.All, GenericRules.All }.SelectMany(r => r).Select(r => r with { IsBuiltIn = true })];
}
