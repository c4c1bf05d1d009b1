namespace Coffer.Server.Rotation;

/// <summary>What the due-soon webhook receives: the secret's address and dates, never its value.</summary>
internal sealed record RotationDueNotice(string Kind, string Namespace, string Name, DateTimeOffset DueAt, string State);
