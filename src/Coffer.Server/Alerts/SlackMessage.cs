namespace Coffer.Server.Alerts;

/// <summary>The body of a Slack incoming-webhook post, which most chat and incident tools also accept.</summary>
internal sealed record SlackMessage(string Text);
