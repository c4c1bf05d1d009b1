namespace Coffer.Storage;

public sealed record RotationObject(string Namespace, string Name, string Body, DateTimeOffset UpdatedAt);
