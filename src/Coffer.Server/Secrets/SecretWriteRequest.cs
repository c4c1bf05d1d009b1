namespace Coffer.Server.Secrets;

/// <summary>A Secret as a client writes it: <c>data</c> in base64, <c>stringData</c> as text (which wins on a clash).</summary>
internal sealed record SecretWriteRequest
{
    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    public SecretWriteMetadata? Metadata { get; init; }

    public string? Type { get; init; }

    public Dictionary<string, string>? Data { get; init; }

    public Dictionary<string, string>? StringData { get; init; }

    public bool? Immutable { get; init; }

    public int? MaxVersions { get; init; }
}
