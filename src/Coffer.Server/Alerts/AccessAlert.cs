namespace Coffer.Server.Alerts;

/// <summary>One irregular-access alert: which rule, about whom, and what happened (names and counts, never values).</summary>
internal sealed record AccessAlert(string Rule, string Identity, string Message, DateTimeOffset At);
