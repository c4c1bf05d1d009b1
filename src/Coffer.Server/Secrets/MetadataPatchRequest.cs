namespace Coffer.Server.Secrets;

/// <summary>A merge patch of labels and annotations: a null value removes the key.</summary>
internal sealed record MetadataPatchRequest
{
    public Dictionary<string, string?>? Labels { get; init; }

    public Dictionary<string, string?>? Annotations { get; init; }
}
