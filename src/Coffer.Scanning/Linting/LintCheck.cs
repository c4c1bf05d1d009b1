namespace Coffer.Scanning.Linting;

/// <summary>One practice <c>coffer lint</c> checks: its stable id, how bad breaking it is, and how to fix it.</summary>
public sealed record LintCheck(string Id, LintSeverity Severity, string Title, string Fix);
