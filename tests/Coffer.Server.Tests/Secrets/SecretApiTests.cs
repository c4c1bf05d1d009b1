using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Hosting;

namespace Coffer.Server.Tests.Secrets;

public sealed class SecretApiTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartDevAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Put_ThenGet_ReturnsValuesAndMetadata()
    {
        using var created = await server.PutJsonAsync(
            "/v1/namespaces/default/secrets/db",
            """{"apiVersion":"coffer.dev/v1","kind":"Secret","metadata":{"name":"db","labels":{"app":"web"},"annotations":{"owner":"team a"}},"stringData":{"password":"hunter2"},"data":{"user":"YWRtaW4="}}""");
        var (version, values) = await server.GetSecretAsync("default", "db");
        var document = await server.GetJsonAsync("/v1/namespaces/default/secrets/db");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag!.Tag);
        Assert.Equal(1, version);
        Assert.Equal("hunter2", values["password"]);
        Assert.Equal("admin", values["user"]);
        Assert.Equal("Opaque", document["type"]!.GetValue<string>());
        Assert.Equal("web", document["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal("team a", document["metadata"]!["annotations"]!["owner"]!.GetValue<string>());
        Assert.Equal("root", document["metadata"]!["versionCreatedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_Again_MakesNewVersion_OldVersionStillReadable()
    {
        await server.PutSecretAsync("default", "api", new Dictionary<string, string> { ["key"] = "one" });
        using var second = await server.PutJsonAsync("/v1/namespaces/default/secrets/api", """{"stringData":{"key":"two"}}""");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("two", (await server.GetSecretAsync("default", "api")).Values["key"]);
        Assert.Equal("one", (await server.GetSecretAsync("default", "api", 1)).Values["key"]);
        var history = await server.GetJsonAsync("/v1/namespaces/default/secrets/api/versions");
        Assert.Equal([1L, 2L], history["items"]!.AsArray().Select(i => i!["version"]!.GetValue<long>()));
        Assert.Equal(2, history["currentVersion"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_IfMatchStale_409AndUnchanged()
    {
        await server.PutSecretAsync("default", "cas", new Dictionary<string, string> { ["k"] = "v1" });
        using var ok = await server.PutJsonAsync("/v1/namespaces/default/secrets/cas", """{"stringData":{"k":"v2"}}""", ("If-Match", "\"1\""));
        using var stale = await server.PutJsonAsync("/v1/namespaces/default/secrets/cas", """{"stringData":{"k":"v3"}}""", ("If-Match", "\"1\""));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await TestServer.AssertErrorAsync(stale, 409, "VersionConflict");
        var (version, values) = await server.GetSecretAsync("default", "cas");
        Assert.Equal(2, version);
        Assert.Equal("v2", values["k"]);
    }

    [Fact]
    public async Task Put_IfNoneMatchStar_CreatesOnlyOnce()
    {
        using var first = await server.PutJsonAsync("/v1/namespaces/default/secrets/once", """{"stringData":{"k":"a"}}""", ("If-None-Match", "*"));
        using var second = await server.PutJsonAsync("/v1/namespaces/default/secrets/once", """{"stringData":{"k":"b"}}""", ("If-None-Match", "*"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await TestServer.AssertErrorAsync(second, 409, "VersionConflict");
        Assert.Equal("a", (await server.GetSecretAsync("default", "once")).Values["k"]);
    }

    [Fact]
    public async Task Rollback_CopiesOldVersionIntoNewVersion()
    {
        await server.PutSecretAsync("default", "rb", new Dictionary<string, string> { ["k"] = "good" });
        await server.PutSecretAsync("default", "rb", new Dictionary<string, string> { ["k"] = "bad" });

        var result = await server.PostJsonAsync("/v1/namespaces/default/secrets/rb/rollback", """{"version":1}""");

        Assert.Equal(3, result["metadata"]!["currentVersion"]!.GetValue<long>());
        var (version, values) = await server.GetSecretAsync("default", "rb");
        Assert.Equal(3, version);
        Assert.Equal("good", values["k"]);
        Assert.Equal("bad", (await server.GetSecretAsync("default", "rb", 2)).Values["k"]);
    }

    [Fact]
    public async Task Rollback_ToMissingVersion_404()
    {
        await server.PutSecretAsync("default", "rb", new Dictionary<string, string> { ["k"] = "v" });
        using var response = await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/default/secrets/rb/rollback", """{"version":9}""");
        await TestServer.AssertErrorAsync(response, 404, "VersionNotFound");
    }

    [Fact]
    public async Task DeleteVersion_Then404_UndeleteRestores()
    {
        await server.PutSecretAsync("default", "dv", new Dictionary<string, string> { ["k"] = "v1" });
        await server.PutSecretAsync("default", "dv", new Dictionary<string, string> { ["k"] = "v2" });

        (await server.SendJsonAsync(HttpMethod.Delete, "/v1/namespaces/default/secrets/dv?versions=1")).EnsureSuccessStatusCode();
        using var deleted = await server.Client.GetAsync("/v1/namespaces/default/secrets/dv?version=1");
        await TestServer.AssertErrorAsync(deleted, 404, "VersionDeleted");
        Assert.Equal("v2", (await server.GetSecretAsync("default", "dv")).Values["k"]);

        await server.PostJsonAsync("/v1/namespaces/default/secrets/dv/undelete?versions=1", "{}");
        Assert.Equal("v1", (await server.GetSecretAsync("default", "dv", 1)).Values["k"]);
    }

    [Fact]
    public async Task DeleteSecret_HiddenAndUnwritable_UndeleteBringsItBack()
    {
        await server.PutSecretAsync("default", "gone", new Dictionary<string, string> { ["k"] = "v" });

        (await server.SendJsonAsync(HttpMethod.Delete, "/v1/namespaces/default/secrets/gone")).EnsureSuccessStatusCode();

        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/default/secrets/gone"), 404, "SecretDeleted");
        await TestServer.AssertErrorAsync(await server.PutJsonAsync("/v1/namespaces/default/secrets/gone", """{"stringData":{"k":"x"}}"""), 409, "SecretDeleted");
        Assert.Empty((await server.GetJsonAsync("/v1/namespaces/default/secrets"))["items"]!.AsArray());
        Assert.Single((await server.GetJsonAsync("/v1/namespaces/default/secrets?includeDeleted=true"))["items"]!.AsArray());

        await server.PostJsonAsync("/v1/namespaces/default/secrets/gone/undelete", "{}");
        Assert.Equal("v", (await server.GetSecretAsync("default", "gone")).Values["k"]);
    }

    [Fact]
    public async Task Destroy_Version_DataGoneRecordKept()
    {
        await server.PutSecretAsync("default", "ds", new Dictionary<string, string> { ["k"] = "v1" });
        await server.PutSecretAsync("default", "ds", new Dictionary<string, string> { ["k"] = "v2" });

        await server.PostJsonAsync("/v1/namespaces/default/secrets/ds/destroy?versions=1", "{}");

        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/default/secrets/ds?version=1"), 404, "VersionDestroyed");
        var history = await server.GetJsonAsync("/v1/namespaces/default/secrets/ds/versions");
        Assert.Equal("destroyed", history["items"]![0]!["state"]!.GetValue<string>());
        Assert.Equal("active", history["items"]![1]!["state"]!.GetValue<string>());
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/default/secrets/ds/undelete?versions=1"), 409, "VersionDestroyed");
    }

    [Fact]
    public async Task PatchMetadata_ChangesLabelsWithoutNewVersion()
    {
        await server.PutSecretAsync("default", "lbl", new Dictionary<string, string> { ["k"] = "v" }, "\"metadata\":{\"labels\":{\"app\":\"web\",\"old\":\"x\"}}");

        using var response = await server.SendJsonAsync(HttpMethod.Patch, "/v1/namespaces/default/secrets/lbl/metadata", """{"labels":{"old":null,"team":"a"},"annotations":{"note":"hello world"}}""");
        var document = await server.GetJsonAsync("/v1/namespaces/default/secrets/lbl");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, document["metadata"]!["currentVersion"]!.GetValue<long>());
        var labels = document["metadata"]!["labels"]!.AsObject();
        Assert.Equal(["app", "team"], labels.Select(kv => kv.Key).Order());
        Assert.Equal("hello world", document["metadata"]!["annotations"]!["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task Immutable_RejectsNewData_AllowsLabels()
    {
        await server.PutSecretAsync("default", "fixed", new Dictionary<string, string> { ["k"] = "v" }, "\"immutable\":true");

        await TestServer.AssertErrorAsync(await server.PutJsonAsync("/v1/namespaces/default/secrets/fixed", """{"stringData":{"k":"x"}}"""), 409, "SecretImmutable");
        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, "/v1/namespaces/default/secrets/fixed/rollback", """{"version":1}"""), 409, "SecretImmutable");
        (await server.SendJsonAsync(HttpMethod.Patch, "/v1/namespaces/default/secrets/fixed/metadata", """{"labels":{"a":"b"}}""")).EnsureSuccessStatusCode();
        Assert.Equal("v", (await server.GetSecretAsync("default", "fixed")).Values["k"]);
    }

    [Fact]
    public async Task MaxVersions_KeepsOnlyNewest()
    {
        for (var i = 1; i <= 4; i++)
        {
            await server.PutSecretAsync("default", "few", new Dictionary<string, string> { ["k"] = $"v{i}" }, "\"maxVersions\":2");
        }

        var history = await server.GetJsonAsync("/v1/namespaces/default/secrets/few/versions");
        Assert.Equal([3L, 4L], history["items"]!.AsArray().Select(i => i!["version"]!.GetValue<long>()));
        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/default/secrets/few?version=1"), 404, "VersionNotFound");
    }

    [Fact]
    public async Task DefaultMaxVersions_IsTen()
    {
        for (var i = 1; i <= 12; i++)
        {
            await server.PutSecretAsync("default", "many", new Dictionary<string, string> { ["k"] = $"v{i}" });
        }

        var history = await server.GetJsonAsync("/v1/namespaces/default/secrets/many/versions");
        Assert.Equal(Enumerable.Range(3, 10).Select(i => (long)i), history["items"]!.AsArray().Select(i => i!["version"]!.GetValue<long>()));
    }

    [Fact]
    public async Task List_MetadataOnly_WithSelectorAndPaging()
    {
        await server.CreateNamespacesAsync("shop", "other");
        for (var i = 0; i < 5; i++)
        {
            await server.PutSecretAsync("shop", $"s{i}", new Dictionary<string, string> { ["value"] = $"secret-value-{i}" }, "\"metadata\":{\"labels\":{\"tier\":\"" + (i < 3 ? "web" : "db") + "\"}}");
        }

        await server.PutSecretAsync("other", "x", new Dictionary<string, string> { ["value"] = "nope" });

        using var raw = await server.Client.GetAsync("/v1/namespaces/shop/secrets");
        var rawText = await raw.Content.ReadAsStringAsync();
        var page1 = await server.GetJsonAsync("/v1/namespaces/shop/secrets?labelSelector=tier%3Dweb&limit=2");
        var next = page1["metadata"]!["continue"]!.GetValue<string>();
        var page2 = await server.GetJsonAsync($"/v1/namespaces/shop/secrets?labelSelector=tier%3Dweb&limit=2&continue={next}");
        var db = await server.GetJsonAsync("/v1/namespaces/shop/secrets?labelSelector=tier+in+(db)");

        Assert.DoesNotContain("data", JsonNode.Parse(rawText)!["items"]![0]!.AsObject().Select(kv => kv.Key));
        Assert.DoesNotContain("c2VjcmV0", rawText, StringComparison.Ordinal);
        Assert.Equal(["s0", "s1"], Names(page1));
        Assert.Equal(["s2"], Names(page2));
        Assert.Null(page2["metadata"]!["continue"]);
        Assert.Equal(["s3", "s4"], Names(db));
    }

    [Fact]
    public async Task Get_Missing_404SecretNotFound() =>
        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/default/secrets/nothing"), 404, "SecretNotFound");

    [Fact]
    public async Task Put_TlsType_ValidatesPairOnServer()
    {
        var (cert, key) = CreateCertificate();
        var (_, otherKey) = CreateCertificate();
        var good = TlsBody(cert, key);
        var bad = TlsBody(cert, otherKey);

        using var ok = await server.PutJsonAsync("/v1/namespaces/default/secrets/tls", good);
        using var mismatch = await server.PutJsonAsync("/v1/namespaces/default/secrets/tls2", bad);

        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var error = await TestServer.AssertErrorAsync(mismatch, 400, "InvalidSecretData");
        Assert.Equal("data[tls.key]", error["field"]!.GetValue<string>());
        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/default/secrets/tls2"), 404);
    }

    [Fact]
    public async Task Put_BasicAuthWithoutCredentials_400()
    {
        using var response = await server.PutJsonAsync("/v1/namespaces/default/secrets/ba", """{"type":"kubernetes.io/basic-auth","stringData":{"user":"x"}}""");
        await TestServer.AssertErrorAsync(response, 400, "MissingSecretData");
    }

    [Fact]
    public async Task Tokens_CreatedByRoot_Work_AndExpire()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var timed = await TestServer.StartDevAsync(clock);
        await timed.ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: writer}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get, update]}]
            """);
        var created = await timed.PostJsonAsync("/v1/tokens", """{"displayName":"ci","ttl":"1h","roles":[{"name":"writer"}]}""");
        var token = created["token"]!.GetValue<string>();
        Assert.StartsWith("cfr_", token, StringComparison.Ordinal);

        timed.UseToken(token);
        await timed.PutSecretAsync("default", "by-ci", new Dictionary<string, string> { ["k"] = "v" });
        var self = await timed.GetJsonAsync("/v1/tokens/self");
        clock.Advance(TimeSpan.FromHours(2));
        using var expired = await timed.Client.GetAsync("/v1/namespaces/default/secrets/by-ci");

        Assert.Equal("token:ci", self["user"]!.GetValue<string>());
        Assert.Equal("ci", self["displayName"]!.GetValue<string>());
        await TestServer.AssertErrorAsync(expired, 401);
    }

    [Fact]
    public async Task OpenApi_DescribesSecretEndpoints()
    {
        server.UseToken(null);
        var document = await server.GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Contains("/v1/namespaces/{namespace}/secrets/{name}", paths);
        Assert.Contains("/v1/namespaces/{namespace}/secrets/{name}/rollback", paths);
        Assert.Contains("/v1/sys/unseal", paths);
    }

    private static string TlsBody(string cert, string key) =>
        new JsonObject
        {
            ["type"] = "kubernetes.io/tls",
            ["stringData"] = new JsonObject { ["tls.crt"] = cert, ["tls.key"] = key },
        }.ToJsonString();

    private static List<string> Names(JsonObject list) =>
        list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();

    private static (string Cert, string Key) CreateCertificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
