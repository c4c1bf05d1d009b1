using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Seal;

/// <summary>A quorum of unseal keys mints a new root token, so the old one can be revoked and none kept.</summary>
public sealed class GenerateRootTests : IAsyncLifetime
{
    private TestServer server = null!;
    private List<string> keys = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartInsecureAsync();
        var init = await server.PostJsonAsync("/v1/sys/init", """{"shares":3,"threshold":2}""");
        keys = init["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        server.UseToken(init["rootToken"]!.GetValue<string>());
        await server.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = keys[0] }.ToJsonString());
        await server.PostJsonAsync("/v1/sys/unseal", new JsonObject { ["key"] = keys[2] }.ToJsonString());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task GenerateRoot_WithQuorum_AfterRevokingTheOldRoot_GivesWorkingRoot()
    {
        var self = await server.GetJsonAsync("/v1/tokens/self");
        using (var revoke = await server.SendJsonAsync(HttpMethod.Delete, $"/v1/tokens/{self["accessor"]}?descendants=false"))
        {
            Assert.Equal(200, (int)revoke.StatusCode);
        }

        using var oldRoot = await server.Client.GetAsync("/v1/tokens/self");
        server.UseToken(null);
        var generated = await server.PostJsonAsync("/v1/sys/generate-root", Body(keys[1], keys[2]));
        server.UseToken(generated["token"]!.GetValue<string>());
        var newSelf = await server.GetJsonAsync("/v1/tokens/self");

        Assert.Equal(401, (int)oldRoot.StatusCode);
        Assert.True(newSelf["root"]!.GetValue<bool>());
        Assert.NotEqual(self["accessor"]!.GetValue<string>(), newSelf["accessor"]!.GetValue<string>());
    }

    [Fact]
    public async Task GenerateRoot_BadShares_RefusedAndMintsNothing()
    {
        await using var other = await TestServer.StartInsecureAsync();
        var foreign = (await other.PostJsonAsync("/v1/sys/init", """{"shares":3,"threshold":2}"""))["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        var before = (await server.GetJsonAsync("/v1/tokens"))["items"]!.AsArray().Count;
        server.UseToken(null);

        using var tooFew = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", Body(keys[0]));
        using var repeated = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", Body(keys[0], keys[0]));
        using var wrong = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", Body(foreign[0], foreign[1]));
        using var garbage = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", Body("not-a-share", keys[1]));
        using var malformed = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", """{"keys":"abc"}""");

        await TestServer.AssertErrorAsync(tooFew, 400, "NotEnoughShares");
        await TestServer.AssertErrorAsync(repeated, 400, "DuplicateUnsealKey");
        await TestServer.AssertErrorAsync(wrong, 403, "GenerateRootRefused");
        await TestServer.AssertErrorAsync(garbage, 400, "InvalidUnsealKey");
        await TestServer.AssertErrorAsync(malformed, 400);
        Assert.DoesNotContain(foreign[0], await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        server.UseToken(server.RootToken);
        Assert.Equal(before, (await server.GetJsonAsync("/v1/tokens"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task GenerateRoot_WhileSealed_Is503()
    {
        await server.PostJsonAsync("/v1/sys/seal", "{}");
        server.UseToken(null);

        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/sys/generate-root", Body(keys[0], keys[1]));

        await TestServer.AssertErrorAsync(response, 503);
    }

    private static string Body(params string[] shares) => new JsonObject { ["keys"] = new JsonArray([.. shares.Select(s => JsonValue.Create(s))]) }.ToJsonString();
}
