namespace Coffer.Server.Auth;

/// <param name="Ttl">A duration such as <c>30m</c>, <c>12h</c> or <c>7d</c>; absent means no expiry.</param>
internal sealed record TokenCreateRequest
{
    public string? DisplayName { get; init; }

    public string? Ttl { get; init; }
}
