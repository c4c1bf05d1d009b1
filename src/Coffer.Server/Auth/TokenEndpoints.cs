using System.Globalization;
using Coffer.Core.Errors;
using Coffer.Server.Api;
using Coffer.Storage;

namespace Coffer.Server.Auth;

/// <summary>Creating and looking up tokens; the full token lifecycle arrives with access control.</summary>
internal static class TokenEndpoints
{
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(366);

    public static void Map(IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/v1/tokens").WithTags("Tokens");
        tokens.MapPost("", CreateAsync).RequireAccess("create", "tokens").Accepts<TokenCreateRequest>("application/json").Produces<TokenResponse>(StatusCodes.Status201Created);
        tokens.MapGet("/self", (HttpContext context) =>
        {
            var caller = context.Caller();
            return Results.Json(new TokenResponse(null, caller.Accessor, caller.Name, caller.IsRoot, default, null), ApiJsonContext.Default.TokenResponse);
        }).RequireAccess("get", "tokens/self").Produces<TokenResponse>();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ITokenStore store, TimeProvider time)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.TokenCreateRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var displayName = request.DisplayName ?? "token";
        if (displayName.Length is 0 or > 128 || displayName.Any(char.IsControl))
        {
            throw CofferException.Invalid("InvalidField", "displayName must be 1 to 128 printable characters", "displayName");
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expires = request.Ttl is null ? null : now + ParseDuration(request.Ttl, "ttl");
        var (token, record) = IssuedToken.Create(displayName, isRoot: false, now, expires, context.Caller().Accessor);
        await store.AddAsync(record, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(
            new TokenResponse(token, record.Accessor, record.DisplayName, false, record.CreatedAt, record.ExpiresAt),
            ApiJsonContext.Default.TokenResponse,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Parses <c>90s</c>, <c>30m</c>, <c>12h</c> or <c>7d</c>.</summary>
    public static TimeSpan ParseDuration(string text, string field)
    {
        if (text.Length is >= 2 and <= 12
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && amount > 0)
        {
            TimeSpan? span = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (span is { } value && value <= MaxTtl)
            {
                return value;
            }
        }

        throw CofferException.Invalid("InvalidField", $"{field} must be a duration such as 30m, 12h or 7d, at most {MaxTtl.TotalDays} days", field);
    }
}
