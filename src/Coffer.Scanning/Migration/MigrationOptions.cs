using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Migration;

/// <summary>Where objects without a namespace go, and which rules decide that an env value is a secret.</summary>
public sealed record MigrationOptions
{
    public string DefaultNamespace { get; init; } = "default";

    public RuleSet RuleSet { get; init; } = RuleSet.Default;
}
