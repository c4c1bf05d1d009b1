namespace Coffer.Core.Access;

public enum AccessSeverity
{
    Low,
    Medium,
    High,
    Critical,
}
