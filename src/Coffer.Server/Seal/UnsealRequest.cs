namespace Coffer.Server.Seal;

internal sealed record UnsealRequest
{
    public string? Key { get; init; }

    public bool? Reset { get; init; }
}
