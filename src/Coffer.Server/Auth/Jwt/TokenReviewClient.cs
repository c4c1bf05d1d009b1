using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Core.Errors;

namespace Coffer.Server.Auth.Jwt;

/// <summary>
/// Asks the cluster's TokenReview API whether a token is valid. Online review catches what offline checks cannot:
/// deleted service accounts and pods, whose tokens stay cryptographically valid until they expire.
/// </summary>
/// <remarks>The reviewer's own credentials and the cluster CA belong to <paramref name="http"/>, configured by the caller.</remarks>
internal sealed class TokenReviewClient(HttpClient http)
{
    private const string ApiVersion = "authentication.k8s.io/v1";
    private const string RelativePath = "apis/authentication.k8s.io/v1/tokenreviews";

    public async ValueTask<TokenReviewResult> ReviewAsync(string jwt, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(audiences);

        var body = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject
            {
                ["token"] = jwt,
                ["audiences"] = new JsonArray([.. audiences.Select(audience => (JsonNode?)JsonValue.Create(audience))]),
            },
        };

        JsonNode? review;
        try
        {
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(RelativePath, UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"the TokenReview API answered {(int)response.StatusCode}");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                review = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException)
        {
            throw Unavailable("the TokenReview API cannot be reached");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation; only the caller's cancellation should surface as one.
            throw Unavailable("the TokenReview API did not answer in time");
        }
        catch (JsonException)
        {
            throw Unavailable("the TokenReview API answered with malformed JSON");
        }

        return Interpret(review, audiences);
    }

    private static TokenReviewResult Interpret(JsonNode? review, IReadOnlyList<string> requestedAudiences)
    {
        if (review is not JsonObject root || root["status"] is not JsonObject status)
        {
            throw Unavailable("the TokenReview API answered without a status");
        }

        // status.error is not echoed: its text comes from authenticators we do not control and could quote the token.
        if (!TryGet(status["authenticated"], JsonValueKind.True))
        {
            throw Rejected("the cluster did not accept the token");
        }

        if (status["user"] is not JsonObject user || Text(user["username"]) is not { Length: > 0 } userName)
        {
            throw Rejected("the cluster accepted the token but named no user");
        }

        // An audience-aware API server echoes the requested audiences the token matched; an empty answer means it checked
        // against its own audience instead, which does not prove the token was meant for us.
        if (requestedAudiences.Count > 0)
        {
            var granted = Strings(status["audiences"]);
            if (!granted.Any(audience => requestedAudiences.Contains(audience, StringComparer.Ordinal)))
            {
                throw Rejected("the cluster did not confirm the token's audience");
            }
        }

        return new TokenReviewResult(userName, Strings(user["groups"]));
    }

    private static bool TryGet(JsonNode? node, JsonValueKind kind) => node is JsonValue value && value.GetValueKind() == kind;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(Text).OfType<string>()] : [];

    private static CofferException Rejected(string message) => new(ErrorKind.Unauthenticated, "TokenReviewRejected", message);

    private static CofferException Unavailable(string message) => new(ErrorKind.Unavailable, "TokenReviewUnavailable", message);
}
