namespace Coffer.Server.Secrets;

internal sealed record SecretWriteMetadata
{
    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    public Dictionary<string, string>? Annotations { get; init; }
}
