namespace Coffer.Scanning.Linting;

/// <summary>How much a broken practice exposes; SARIF maps Low to note, Medium to warning and High to error.</summary>
public enum LintSeverity
{
    Low,
    Medium,
    High,
}
