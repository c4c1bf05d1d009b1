using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;
using Coffer.Kubernetes.Tests.FakeApi;

namespace Coffer.Server.Tests.Auth;

/// <summary>Service-account login checked online: the server asks the (fake) cluster's TokenReview API about the token.</summary>
public sealed class TokenReviewLoginTests : IAsyncLifetime
{
    private FakeKubernetesApi cluster = null!;
    private TestServer server = null!;
    private string reviewerTokenPath = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeKubernetesApi.StartAsync();
        server = await TestServer.StartDevAsync(configure: (folder, options) =>
        {
            reviewerTokenPath = Path.Combine(folder, "reviewer-token");
            File.WriteAllText(reviewerTokenPath, "reviewer-token-1\n");
            return options with { KubernetesTokenReview = new TokenReviewOptions { ApiServer = cluster.BaseAddress, TokenPath = reviewerTokenPath, Audiences = ["coffer"] } };
        });
        await server.PutJsonAsync("/v1/auth/kubernetes/roles/apps", """{"boundServiceAccountNames":["api"],"boundNamespaces":["shop"]}""");
        server.UseToken(null);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task Login_ClusterVouchesForToken_IssuesTokenForTheServiceAccount()
    {
        cluster.TokenReviews.AddToken("opaque-sa-token", "system:serviceaccount:shop:api", ["system:serviceaccounts", "system:serviceaccounts:shop"], ["coffer"]);

        var issued = await server.PostJsonAsync("/v1/auth/kubernetes/login", """{"role":"apps","jwt":"opaque-sa-token"}""");

        Assert.Equal("system:serviceaccount:shop:api", (string?)issued["user"]);
        Assert.Equal("opaque-sa-token", (string?)cluster.TokenReviews.Requests.Single().Body!["spec"]!["token"]);
    }

    [Fact]
    public async Task Login_ReviewerTokenRotatedOnDisk_NextReviewSendsTheNewOne()
    {
        cluster.TokenReviews.AddToken("opaque-sa-token", "system:serviceaccount:shop:api", ["system:serviceaccounts"], ["coffer"]);

        await server.PostJsonAsync("/v1/auth/kubernetes/login", """{"role":"apps","jwt":"opaque-sa-token"}""");
        await File.WriteAllTextAsync(reviewerTokenPath, "reviewer-token-2\n");
        await server.PostJsonAsync("/v1/auth/kubernetes/login", """{"role":"apps","jwt":"opaque-sa-token"}""");

        Assert.Equal(["Bearer reviewer-token-1", "Bearer reviewer-token-2"], cluster.TokenReviews.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Login_ClusterRejectsToken_Is401()
    {
        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/auth/kubernetes/login", """{"role":"apps","jwt":"unknown-token"}""");

        await TestServer.AssertErrorAsync(response, 401, "TokenReviewRejected");
    }

    [Fact]
    public async Task Login_ClusterDown_Is503()
    {
        cluster.TokenReviews.FailRequests = true;

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/auth/kubernetes/login", """{"role":"apps","jwt":"opaque-sa-token"}""");

        await TestServer.AssertErrorAsync(response, 503, "TokenReviewUnavailable");
    }

    [Fact]
    public async Task Login_AccountOfAnotherNamespace_Is403()
    {
        cluster.TokenReviews.AddToken("other-token", "system:serviceaccount:billing:api", ["system:serviceaccounts"], ["coffer"]);

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/auth/kubernetes/login", """{"role":"apps","jwt":"other-token"}""");

        await TestServer.AssertErrorAsync(response, 403, "LoginDenied");
    }
}
