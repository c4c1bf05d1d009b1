namespace Coffer.Core.Access;

/// <summary>One finding of an access review: how bad, a stable code, the object concerned, what is wrong, and the fix.</summary>
public sealed record AccessFinding(AccessSeverity Severity, string Code, string Object, string Message, string Fix);
