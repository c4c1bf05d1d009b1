namespace Coffer.Server.Secrets;

/// <summary>A Secret as the API returns it; <see cref="Data"/> is absent from lists.</summary>
internal sealed record SecretResource(
    string ApiVersion,
    string Kind,
    SecretResourceMetadata Metadata,
    string Type,
    bool Immutable,
    int MaxVersions,
    Dictionary<string, string>? Data);
