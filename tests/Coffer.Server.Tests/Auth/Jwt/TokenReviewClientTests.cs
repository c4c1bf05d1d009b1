using Coffer.Core.Errors;
using Coffer.Server.Auth.Jwt;
using Coffer.Kubernetes.Tests.FakeApi;

namespace Coffer.Server.Tests.Auth.Jwt;

/// <summary>The TokenReview client against a real HTTP server speaking the Kubernetes API's shapes.</summary>
public sealed class TokenReviewClientTests : IAsyncLifetime
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl";
    private static readonly string[] Audiences = ["coffer"];
    private FakeKubernetesApi api = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync();
        http = new HttpClient { BaseAddress = api.BaseAddress };
        api.TokenReviews.AddToken(
            Token,
            "system:serviceaccount:payments:api",
            ["system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"],
            ["coffer", "https://kubernetes.default.svc"]);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task ReviewAsync_AuthenticatedToken_ReturnsUserAndGroups()
    {
        var result = await new TokenReviewClient(http).ReviewAsync(Token, Audiences, CancellationToken.None);

        Assert.Equal("system:serviceaccount:payments:api", result.UserName);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:payments", "system:authenticated"], result.Groups);
    }

    [Fact]
    public async Task ReviewAsync_Always_SendsTokenReviewShape()
    {
        await new TokenReviewClient(http).ReviewAsync(Token, ["coffer", "other"], CancellationToken.None);

        var request = Assert.Single(api.TokenReviews.Requests);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = request.Body!.AsObject();
        Assert.Equal("authentication.k8s.io/v1", body["apiVersion"]!.GetValue<string>());
        Assert.Equal("TokenReview", body["kind"]!.GetValue<string>());
        var spec = body["spec"]!.AsObject();
        Assert.Equal(Token, spec["token"]!.GetValue<string>());
        Assert.Equal(["coffer", "other"], spec["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["apiVersion", "kind", "spec"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["audiences", "token"], spec.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReviewAsync_UnknownToken_ThrowsUnauthenticated()
    {
        var error = await Assert.ThrowsAsync<CofferException>(
            async () => await new TokenReviewClient(http).ReviewAsync("not-known", Audiences, CancellationToken.None));

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal("TokenReviewRejected", error.Reason);
        Assert.DoesNotContain("not-known", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewAsync_TokenForOtherAudience_ThrowsUnauthenticated()
    {
        var error = await Assert.ThrowsAsync<CofferException>(
            async () => await new TokenReviewClient(http).ReviewAsync(Token, ["vault"], CancellationToken.None));

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal("TokenReviewRejected", error.Reason);
    }

    [Fact]
    public async Task ReviewAsync_ServerNotAudienceAware_ThrowsUnauthenticated()
    {
        // Authenticated without confirming our audience proves only that the token is good for the API server itself.
        api.TokenReviews.IgnoreAudiences = true;

        var error = await Assert.ThrowsAsync<CofferException>(
            async () => await new TokenReviewClient(http).ReviewAsync(Token, ["vault"], CancellationToken.None));

        Assert.Equal(ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal("TokenReviewRejected", error.Reason);
    }

    [Fact]
    public async Task ReviewAsync_ServerError_ThrowsUnavailable()
    {
        api.TokenReviews.FailRequests = true;

        var error = await Assert.ThrowsAsync<CofferException>(
            async () => await new TokenReviewClient(http).ReviewAsync(Token, Audiences, CancellationToken.None));

        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Equal("TokenReviewUnavailable", error.Reason);
        Assert.Single(api.TokenReviews.Requests);
    }

    [Fact]
    public async Task ReviewAsync_ServerUnreachable_ThrowsUnavailable()
    {
        var address = api.BaseAddress;
        await api.DisposeAsync();
        using var closed = new HttpClient { BaseAddress = address };

        var error = await Assert.ThrowsAsync<CofferException>(
            async () => await new TokenReviewClient(closed).ReviewAsync(Token, Audiences, CancellationToken.None));

        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Equal("TokenReviewUnavailable", error.Reason);
    }
}
