namespace Coffer.Server.Seal;

internal sealed record InitRequest
{
    public int? Shares { get; init; }

    public int? Threshold { get; init; }
}
