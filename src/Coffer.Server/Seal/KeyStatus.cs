namespace Coffer.Server.Seal;

/// <param name="Versions">How many stored versions have their data key wrapped by this key.</param>
internal sealed record KeyStatus(int Id, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, bool Current, long Versions);
