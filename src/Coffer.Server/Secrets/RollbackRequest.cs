namespace Coffer.Server.Secrets;

internal sealed record RollbackRequest
{
    public required long Version { get; init; }
}
