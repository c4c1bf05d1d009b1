namespace Coffer.Server.Rotation;

internal sealed record RotationStatusList(string ApiVersion, string Kind, int Overdue, IReadOnlyList<RotationStatusItem> Items);
