namespace Coffer.Server.Auth;

/// <param name="Reason">Why: the rule that allowed it, or why it was denied.</param>
internal sealed record AccessDecision(bool Allowed, string Reason);
