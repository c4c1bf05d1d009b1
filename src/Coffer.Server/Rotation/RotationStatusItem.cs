namespace Coffer.Server.Rotation;

/// <summary>One line of <c>coffer rotation status</c>; <c>state</c> is Overdue, DueSoon, Ok, Rotating or Failed.</summary>
internal sealed record RotationStatusItem(string Namespace, string Name, long Version, string Age, DateTimeOffset CurrentSince, DateTimeOffset DueAt, string Period, string State, bool Scheduled, string? Error);
