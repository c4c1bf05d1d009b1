using System.Net.Http.Headers;
using System.Text;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Secrets;

/// <summary>Every bad request gets a clear 4xx in the one error shape and leaves the stored secret as it was.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Target = "/v1/namespaces/default/secrets/target";
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync();
        await server.PutSecretAsync("default", "target", new Dictionary<string, string> { ["k"] = "original" }, "\"metadata\":{\"labels\":{\"app\":\"web\"}}");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    public static TheoryData<string, string, string?, int, string> BadRequests() => new()
    {
        { "PUT", Target, """{"stringData":{"k":"x"}""", 400, "MalformedJson" },
        { "PUT", Target, "{'stringData':1}", 400, "MalformedJson" },
        { "PUT", Target, "", 400, "MalformedJson" },
        { "PUT", Target, "null", 400, "MalformedJson" },
        { "PUT", Target, "[]", 400, "WrongType" },
        { "PUT", Target, """{"data":"not-an-object"}""", 400, "WrongType" },
        { "PUT", Target, """{"data":{"k":5}}""", 400, "WrongType" },
        { "PUT", Target, """{"stringData":{"k":"x"},"maxVersions":"ten"}""", 400, "WrongType" },
        { "PUT", Target, """{"stringData":{"k":"x"},"immutable":"yes"}""", 400, "WrongType" },
        { "PUT", Target, """{"stringData":{"k":"x"},"maxVersions":1.5}""", 400, "WrongType" },
        { "PUT", Target, """{"data":{"k":"***not base64***"}}""", 400, "InvalidBase64" },
        { "PUT", Target, """{"data":{"k":"YWJj="}}""", 400, "InvalidBase64" },
        { "PUT", Target, """{"stringData":{"k":"x"},"unknown":true}""", 400, "UnknownField" },
        { "PUT", Target, """{"stringData":{"k":"x"},"metadata":{"uid":"1"}}""", 400, "UnknownField" },
        { "PUT", Target, """{"stringData":{"k":"x"},"stringData":{"k":"y"}}""", 400, "DuplicateField" },
        { "PUT", Target, """{"stringData":{"k":"x","k":"y"}}""", 400, "DuplicateField" },
        { "PUT", Target, """{"stringData":{"bad key":"x"}}""", 400, "InvalidDataKey" },
        { "PUT", Target, """{"stringData":{"k":"x"},"metadata":{"labels":{"bad key":"x"}}}""", 400, "InvalidLabel" },
        { "PUT", Target, """{"stringData":{"k":"x"},"metadata":{"labels":{"app":"-x"}}}""", 400, "InvalidLabel" },
        { "PUT", Target, """{"stringData":{"k":"x"},"metadata":{"name":"other"}}""", 400, "FieldMismatch" },
        { "PUT", Target, """{"stringData":{"k":"x"},"kind":"ConfigMap"}""", 400, "InvalidField" },
        { "PUT", Target, """{"stringData":{"k":"x"},"apiVersion":"v2"}""", 400, "InvalidField" },
        { "PUT", Target, """{"stringData":{"k":"x"},"type":"kubernetes.io/basic-auth"}""", 400, "MissingSecretData" },
        { "PUT", Target, """{"stringData":{"k":"x"},"maxVersions":0}""", 400, "InvalidField" },
        { "PUT", Target, """{"stringData":{"k":"x"},"type":""}""", 400, "InvalidType" },
        { "PUT", Target, new string('[', 100) + new string(']', 100), 400, "WrongType" },
        { "PUT", Target, "{\"stringData\":{\"k\":\"x\"}} trailing", 400, "MalformedJson" },
        { "PUT", Target, "\uFEFF{", 400, "MalformedJson" },
        { "PUT", "/v1/namespaces/Default/secrets/target", """{"stringData":{"k":"x"}}""", 400, "InvalidName" },
        { "PUT", "/v1/namespaces/default/secrets/Target_1", """{"stringData":{"k":"x"}}""", 400, "InvalidName" },
        { "PUT", "/v1/namespaces/default/secrets/" + new string('a', 254), """{"stringData":{"k":"x"}}""", 400, "InvalidName" },
        { "GET", Target + "?version=abc", null, 400, "InvalidField" },
        { "GET", Target + "?version=0", null, 400, "InvalidField" },
        { "GET", Target + "?version=-1", null, 400, "InvalidField" },
        { "GET", Target + "?version=99999999999999999999", null, 400, "InvalidField" },
        { "GET", "/v1/namespaces/default/secrets?labelSelector=app+in+(web", null, 400, "InvalidLabelSelector" },
        { "GET", "/v1/namespaces/default/secrets?limit=0", null, 400, "InvalidField" },
        { "GET", "/v1/namespaces/default/secrets?limit=abc", null, 400, "InvalidField" },
        { "GET", "/v1/namespaces/default/secrets?continue=%%%", null, 400, "InvalidContinueToken" },
        { "GET", "/v1/namespaces/default/secrets?includeDeleted=maybe", null, 400, "InvalidField" },
        { "GET", "/v1/namespaces/BAD/secrets", null, 400, "InvalidName" },
        { "DELETE", Target + "?versions=one", null, 400, "InvalidField" },
        { "DELETE", Target + "?versions=7", null, 404, "VersionNotFound" },
        { "POST", Target + "/destroy?versions=1,x", "{}", 400, "InvalidField" },
        { "POST", Target + "/rollback", """{"version":"1"}""", 400, "WrongType" },
        { "POST", Target + "/rollback", "{}", 400, "WrongType" },
        { "POST", Target + "/rollback", """{"version":0}""", 400, "InvalidField" },
        { "PATCH", Target + "/metadata", """{"labels":{"bad key":"x"}}""", 400, "InvalidLabel" },
        { "PATCH", Target + "/metadata", """{"labels":["x"]}""", 400, "WrongType" },
        { "PATCH", Target + "/metadata", """{"spec":{}}""", 400, "UnknownField" },
        { "POST", "/v1/tokens", """{"ttl":"forever"}""", 400, "InvalidField" },
        { "POST", "/v1/tokens", """{"displayName":""}""", 400, "InvalidField" },
        { "GET", "/v1/nothing-here", null, 404, "NotFound" },
        { "POST", Target, "{}", 405, "MethodNotAllowed" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Request_BadInput_Clear4xxAndStateUnchanged(string method, string path, string? body, int status, string reason)
    {
        using var response = await server.SendJsonAsync(new HttpMethod(method), path, body);

        var error = await TestServer.AssertErrorAsync(response, status, reason);

        Assert.DoesNotContain("original", error.ToJsonString(), StringComparison.Ordinal);
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Put_InvalidBase64_NamesTheField()
    {
        using var response = await server.PutJsonAsync(Target, """{"data":{"password":"%%"}}""");
        var error = await TestServer.AssertErrorAsync(response, 400, "InvalidBase64");
        Assert.Equal("data[password]", error["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_InvalidName_StatesTheRule()
    {
        using var response = await server.PutJsonAsync("/v1/namespaces/default/secrets/Bad_Name", """{"stringData":{"k":"x"}}""");
        var error = await TestServer.AssertErrorAsync(response, 400, "InvalidName");
        Assert.Equal("metadata.name", error["field"]!.GetValue<string>());
        Assert.Contains("DNS-1123 subdomain", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_UnknownField_NamesIt()
    {
        using var response = await server.PutJsonAsync(Target, """{"stringData":{"k":"x"},"metadata":{"uid":"1"}}""");
        var error = await TestServer.AssertErrorAsync(response, 400, "UnknownField");
        Assert.Contains("uid", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3 * 1024 * 1024 + 512 * 1024)]
    [InlineData(6 * 1024 * 1024)]
    public async Task Put_BodyOverLimit_413(int size)
    {
        var huge = $"{{\"stringData\":{{\"k\":\"{new string('x', size)}\"}}}}";
        using var request = new HttpRequestMessage(HttpMethod.Put, Target) { Content = new StringContent(huge, Encoding.UTF8, "application/json") };

        // The server answers before reading the body; 100-continue lets the client hear it.
        request.Headers.ExpectContinue = true;
        using var response = await server.Client.SendAsync(request);
        await TestServer.AssertErrorAsync(response, 413);
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Put_DataOverOneMebibyte_413()
    {
        var value = Convert.ToBase64String(new byte[(1024 * 1024) + 1]);
        using var response = await server.PutJsonAsync(Target, $"{{\"data\":{{\"k\":\"{value}\"}}}}");
        await TestServer.AssertErrorAsync(response, 413, "DataTooLarge");
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Put_ChunkedBodyOverLimit_413()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, Target)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"stringData\":{{\"k\":\"{new string('y', 3 * 1024 * 1024)}\"}}}}"))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await server.Client.SendAsync(request);
        await TestServer.AssertErrorAsync(response, 413);
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Put_WrongContentType_415()
    {
        using var response = await server.Client.PutAsync(Target, new StringContent("k=v", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await TestServer.AssertErrorAsync(response, 415);
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("1,2")]
    [InlineData("-1")]
    public async Task Put_MalformedIfMatch_400(string ifMatch)
    {
        using var response = await server.PutJsonAsync(Target, """{"stringData":{"k":"x"}}""", ("If-Match", ifMatch));
        await TestServer.AssertErrorAsync(response, 400, "InvalidHeader");
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer cfr_not-a-real-token")]
    [InlineData("Basic dXNlcjpwdw==")]
    [InlineData("Bearer")]
    public async Task Request_MissingOrWrongToken_401(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Target) { Content = new StringContent("""{"stringData":{"k":"x"}}""", Encoding.UTF8, "application/json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var anonymous = new HttpClient { BaseAddress = server.Server.Address };
        using var response = await anonymous.SendAsync(request);

        await TestServer.AssertErrorAsync(response, 401, "Unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task Request_OversizedToken_401()
    {
        using var anonymous = new HttpClient { BaseAddress = server.Server.Address };
        anonymous.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer cfr_" + new string('a', 5000));
        using var response = await anonymous.GetAsync(Target);
        await TestServer.AssertErrorAsync(response, 401);
    }

    private async Task AssertUnchangedAsync()
    {
        var (version, values) = await server.GetSecretAsync("default", "target");
        Assert.Equal(1, version);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "original" }, values);
        var document = await server.GetJsonAsync(Target);
        Assert.Equal("web", document["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Single((await server.GetJsonAsync(Target + "/versions"))["items"]!.AsArray());
    }
}
