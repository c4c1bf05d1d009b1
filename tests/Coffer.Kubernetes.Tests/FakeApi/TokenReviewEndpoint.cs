using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Coffer.Kubernetes.Tests.FakeApi;

/// <summary>
/// The fake API server's TokenReview API (<c>POST /apis/authentication.k8s.io/v1/tokenreviews</c>), with the shapes of
/// the Kubernetes API reference, so that Coffer's Kubernetes login is tested over the wire rather than against a mocked handler.
/// </summary>
internal sealed class TokenReviewEndpoint
{
    public const string Path = "apis/authentication.k8s.io/v1/tokenreviews";

    private readonly ConcurrentDictionary<string, FakeUser> users = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    /// <summary>When set, every token review gets a 500 with a Kubernetes Status body.</summary>
    public bool FailRequests { get; set; }

    /// <summary>When set, the server behaves like one without audience support: it authenticates known tokens and returns no audiences.</summary>
    public bool IgnoreAudiences { get; set; }

    /// <summary>The token reviews received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>Makes <paramref name="token"/> authenticate as <paramref name="userName"/> for the given audiences.</summary>
    public void AddToken(string token, string userName, IReadOnlyList<string> groups, IReadOnlyList<string> audiences) =>
        users[token] = new FakeUser(userName, groups, audiences);

    public async Task<IResult> ReviewAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        requests.Enqueue(new RecordedRequest(context.Request.Headers.ContentType.ToString(), body, context.Request.Headers.Authorization.ToString()));
        if (FailRequests)
        {
            var failure = new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = "Internal error occurred: fake failure",
                ["reason"] = "InternalError",
                ["code"] = 500,
            };
            return Results.Content(failure.ToJsonString(), "application/json", statusCode: StatusCodes.Status500InternalServerError);
        }

        var spec = body?["spec"];
        var token = spec?["token"]?.GetValue<string>() ?? string.Empty;
        var requested = spec?["audiences"]?.AsArray().Select(a => a!.GetValue<string>()).ToArray() ?? [];
        var status = new JsonObject();
        if (users.TryGetValue(token, out var user))
        {
            // The API server answers with the requested audiences the token matches, or none when it matches none.
            var matched = requested.Length == 0 ? user.Audiences.ToArray() : requested.Intersect(user.Audiences, StringComparer.Ordinal).ToArray();
            if (IgnoreAudiences || matched.Length > 0)
            {
                status["authenticated"] = true;
                status["user"] = new JsonObject
                {
                    ["username"] = user.UserName,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)g)]),
                };
                if (!IgnoreAudiences)
                {
                    status["audiences"] = new JsonArray([.. matched.Select(a => (JsonNode?)a)]);
                }
            }
            else
            {
                status["user"] = new JsonObject();
                status["error"] = "[invalid bearer token, token audiences is invalid]";
            }
        }
        else
        {
            // Real API servers omit "authenticated" when false and describe the failure in "error".
            status["user"] = new JsonObject();
            status["error"] = "[invalid bearer token, square/go-jose: error in cryptographic primitive]";
        }

        var answer = new JsonObject
        {
            ["kind"] = "TokenReview",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec?.DeepClone(),
            ["status"] = status,
        };
        return Results.Content(answer.ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
    }

    private sealed record FakeUser(string UserName, IReadOnlyList<string> Groups, IReadOnlyList<string> Audiences);
}
